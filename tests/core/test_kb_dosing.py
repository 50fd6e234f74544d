"""The numbers of a session in the knowledge base: each technique's dose, the order the
planner proposes techniques in, and the aftercare timings, each with its sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from myomap.core.kb import KnowledgeBaseError, load
from myomap.core.kb.dosing import Aftercare, Dose, Span
from myomap.core.kb.loader import DEFAULT_ROOT, KnowledgeBase


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_ROOT, root)
    return root


def test_ischemic_compression_is_held_10_to_30_seconds_as_the_brief_says(
    kb: KnowledgeBase,
) -> None:
    dose = kb.techniques["ischemic-compression"].dose
    assert dose.hold_seconds is not None
    assert (dose.hold_seconds.low, dose.hold_seconds.usual, dose.hold_seconds.high) == (10, 20, 30)
    assert "myomap-brief" in dose.hold_seconds.sources
    assert dose.pressure == "moderate"
    assert dose.gentler is not None and dose.gentler.from_tender == 8


def test_every_technique_has_a_dose_whose_numbers_each_cite_a_source(kb: KnowledgeBase) -> None:
    for technique in kb.techniques.values():
        dose = technique.dose
        spans = [s for s in (dose.hold_seconds, dose.repetitions) if s is not None]
        for span in spans:
            assert span.sources and set(span.sources) <= set(kb.sources), technique.id
            assert span.usual is not None and span.low <= span.usual <= span.high


def test_a_timed_hold_in_the_dose_matches_the_seconds_in_the_dosage_text(
    kb: KnowledgeBase,
) -> None:
    for technique in kb.techniques.values():
        span = technique.dose.hold_seconds
        if span is not None:
            assert f"{span.low}-{span.high} s" in technique.dosage or str(span.high) in (
                technique.dosage
            ), technique.id


def test_the_planner_tries_ischemic_compression_first_and_light_effleurage_last(
    kb: KnowledgeBase,
) -> None:
    assert kb.plan_order == (
        "ischemic-compression",
        "positional-release",
        "muscle-energy-technique",
        "soft-tissue-release",
        "myofascial-release",
        "light-effleurage",
    )


def test_aftercare_gives_soreness_relief_and_rebooking_with_sources(kb: KnowledgeBase) -> None:
    care = kb.aftercare
    assert care is not None
    assert (care.soreness_hours.low, care.soreness_hours.high) == (24, 36)
    assert (care.relief_days.low, care.relief_days.high) == (4, 14)
    assert care.rebook_days.usual == 7
    assert care.relief_days.low <= care.rebook_days.usual <= care.relief_days.high
    for span in (care.soreness_hours, care.relief_days, care.rebook_days):
        assert set(span.sources) <= set(kb.sources)
    assert "cherkin-2011" in care.rebook_days.sources


def test_the_client_statements_give_the_same_aftercare_numbers(kb: KnowledgeBase) -> None:
    care = kb.aftercare
    assert care is not None
    sore = kb.statements["client-soreness"].text
    relief = kb.statements["client-relief-duration"].text
    assert f"{care.soreness_hours.low} to {care.soreness_hours.high} hours" in sore
    assert f"{care.relief_days.low} to {care.relief_days.high} days" in relief


def test_a_usual_value_outside_its_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="usual"):
        Span(low=10, high=30, usual=45, sources=("myomap-brief",))


def test_repetitions_always_start_at_one() -> None:
    reps = Span(low=3, high=5, usual=3, sources=("chaitow-delany-2002",))
    with pytest.raises(ValidationError, match="start at 1"):
        Dose(repetitions=reps, pressure="light")


def test_a_gentler_start_needs_a_timed_hold_within_its_range() -> None:
    hold = Span(low=10, high=30, usual=20, sources=("myomap-brief",))
    reps = Span(low=1, high=3, usual=2, sources=("myomap-brief",))
    gentler = {"from_tender": 8, "hold_seconds": 5, "sources": ("myomap-brief",)}
    with pytest.raises(ValidationError, match="gentler hold"):
        Dose.model_validate(
            {"hold_seconds": hold, "repetitions": reps, "pressure": "light", "gentler": gentler}
        )


def test_rebooking_needs_a_usual_interval() -> None:
    span = {"low": 4, "high": 14, "sources": ["myomap-brief"]}
    with pytest.raises(ValidationError, match="usual interval"):
        Aftercare.model_validate(
            {
                "id": "after",
                "soreness_hours": span,
                "soreness_advice": "keep moving",
                "relief_days": span,
                "rebook_days": span,
                "sources": ["myomap-brief"],
            }
        )


def test_kb_check_names_a_technique_without_a_dose_and_an_unknown_dose_source(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    path = root / "techniques.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: deep-gliding")
    dose = text.index("    dose:", start)
    end = text.index("  - id: soft-tissue-release")
    text = text[:dose] + text[end:]  # deep gliding loses its dose
    text = text.replace("sources: [chaitow-delany-2002, szajkowski-2025]", "sources: [szajkowski]")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as error:
        load(root)
    said = str(error.value)
    assert "techniques.yaml: entry 'deep-gliding': field 'dose'" in said
    assert "field 'dose.repetitions.sources': unknown source 'szajkowski'" in said
    assert "did you mean 'szajkowski-2025'?" in said


def test_kb_check_refuses_a_plan_order_used_twice(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "techniques.yaml"
    text = path.read_text(encoding="utf-8").replace("plan_order: 6", "plan_order: 2")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as error:
        load(root)
    assert (
        "entry 'light-effleurage': field 'plan_order': plan order 2 is already "
        "'positional-release''s"
    ) in str(error.value)


def test_kb_check_refuses_a_second_aftercare_entry(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    text = (root / "aftercare.yaml").read_text(encoding="utf-8")
    (root / "aftercare-clinic.yaml").write_text(
        text.replace("id: after-a-session", "id: our-aftercare"), encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError) as error:
        load(root)
    said = str(error.value)
    assert "1 problem" in said and "only one aftercare entry is allowed" in said
    assert "our-aftercare" in said and "after-a-session" in said
