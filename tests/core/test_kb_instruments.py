"""The `instruments` kind of the knowledge base: the shipped questionnaires load with
their sources and licences, and a broken entry is refused with a message naming it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from myomap.core.kb import KnowledgeBaseError, load, load_default
from myomap.core.kb.loader import DEFAULT_ROOT


def test_the_six_questionnaires_load_with_codes_licences_and_sources():
    kb = load_default()
    assert list(kb.instruments) == ["nprs", "rmdq", "odi", "psfs", "startback", "peg"]
    counts = {i.id: len(i.items) for i in kb.instruments.values()}
    assert counts == {"nprs": 1, "rmdq": 24, "odi": 10, "psfs": 5, "startback": 9, "peg": 3}
    codes = {i.id: [c.code for c in i.codes] for i in kb.instruments.values()}
    assert codes["nprs"] == ["72514-3"] and codes["odi"] == ["97909-6"]
    assert codes["startback"] == ["91351-7"] and codes["peg"] == ["91147-9"]
    assert codes["rmdq"] == [] and codes["psfs"] == []
    mcid = {i.id: (i.change.points, i.change.percent) for i in kb.instruments.values() if i.change}
    assert mcid == {"nprs": (2, 30), "rmdq": (5, 30), "odi": (10, 30), "psfs": (2, None)}
    assert "ostelo-2008" in kb.instruments["odi"].change.sources
    assert kb.stats()["instruments"] == 6


def test_no_copyrighted_wording_is_marked_shipped():
    kb = load_default()
    for name in ("odi", "startback", "rmdq"):
        assert kb.instruments[name].licence.wording_shipped is False
    assert "Keele" in kb.instruments["startback"].licence.holder
    assert "Mapi" in kb.instruments["odi"].licence.holder


def test_the_odi_item_labels_are_section_titles_only():
    odi = load_default().instruments["odi"]
    assert [i.label for i in odi.items][:3] == ["Pain intensity", "Personal care", "Lifting"]
    assert all(len(i.label) <= 30 for i in odi.items)


def _copy(tmp_path: Path) -> Path:
    for name in ("sources.yaml", "sources-outcomes.yaml", "instruments.yaml"):
        shutil.copy(DEFAULT_ROOT / name, tmp_path / name)
    return tmp_path


def _problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as info:
        load(root)
    return [str(p) for p in info.value.problems]


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "instruments.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_questionnaire_names_its_items_as_its_form_does():
    words = {i.id: (i.item_word.one, i.item_word.many) for i in load_default().instruments.values()}
    assert words["odi"] == ("section", "sections") and words["psfs"] == ("activity", "activities")
    assert {words[i] for i in ("nprs", "rmdq", "startback", "peg")} == {("item", "items")}


def test_a_copy_of_the_shipped_file_loads(tmp_path):
    assert len(load(_copy(tmp_path)).instruments) == 6


def test_an_installations_copy_sets_how_many_odi_sections_may_be_blank(tmp_path):
    # docs/outcomes.md: the limit of blank sections is changed in a copy of the knowledge
    # base; the shipped 2 refuses a third blank section, the copy's 3 scores it (11/35)
    from myomap.core.outcomes import OutcomeError, score

    three_blank = [3, 2, 1, 2, 2, 1, 0, None, None, None]
    with pytest.raises(OutcomeError, match="3 sections unanswered"):
        score(load_default().instruments["odi"], three_blank)
    root = _copy(tmp_path)
    _edit(
        root,
        "rule: percent-of-answered\n      max_missing: 2",
        "rule: percent-of-answered\n      max_missing: 3",
    )
    odi = load(root).instruments["odi"]
    assert score(odi, three_blank).score == 31.4  # 11 / 35 x 100


def test_a_range_the_scoring_cannot_give_is_refused_naming_the_entry(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "range: {low: 0, high: 24}", "range: {low: 0, high: 25}")
    assert _problems(root) == [
        "instruments.yaml: entry 'rmdq': field 'range': the scoring gives 0 to 24, not 0 to 25"
    ]


def test_an_unknown_scale_band_subscale_or_source_is_refused(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "label: Lifting, answers: section", "label: Lifting, answers: sectoin")
    _edit(
        root,
        "subscales: {psychosocial: {low: 0, high: 3}}",
        "subscales: {psycho: {low: 0, high: 3}}",
    )
    _edit(root, "sources: [krebs-2009]\n    range", "sources: [krebs-2090]\n    range")
    found = _problems(root)
    assert (
        "instruments.yaml: entry 'odi': field 'items[2].answers': unknown scale 'sectoin'" in found
    )
    assert (
        "instruments.yaml: entry 'startback': field 'bands[1].subscales': unknown subscale 'psycho'"
        in found
    )
    assert (
        "instruments.yaml: entry 'peg': field 'scoring.sources': unknown source 'krebs-2090' "
        "(did you mean 'krebs-2009'?)" in found
    )


def test_a_subscale_range_and_a_missing_licence_are_refused(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "range: {low: 0, high: 5}", "range: {low: 0, high: 4}")
    _edit(root, "    licence:\n      holder: Krebs", "    licensed:\n      holder: Krebs")
    found = _problems(root)
    assert (
        "instruments.yaml: entry 'startback': field 'subscales[0].range': its items give 0 to 5"
        in found
    )
    assert any(p.startswith("instruments.yaml: entry 'peg': field 'licence'") for p in found)
