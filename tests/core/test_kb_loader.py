"""The knowledge-base format: a mistake in a data file is reported with its file, entry
and field, every mistake at once, and nothing half-loaded is returned."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from myomap.core.kb import KnowledgeBaseError, load, load_default

SOURCES = """
kind: sources
entries:
  - {id: textbook, type: textbook, citation: A textbook of trigger points.}
"""
REGIONS = """
kind: regions
entries:
  - {id: buttock-upper, name: Upper buttock, view: back, side: bilateral, area: lumbopelvic,
     snomed: '46862004', choir: {left: 223, right: 224}}
  - {id: sacrum, name: Sacrum, view: back, side: midline, area: lumbopelvic}
"""
MUSCLE = """
kind: muscles
entries:
  - id: piriformis
    name: Piriformis
    origin: Anterior sacrum
    insertion: Greater trochanter
    action: Lateral rotation of the hip
    innervation: Nerve to piriformis
    positioning: Prone
    palpation: Midway between sacrum and trochanter
    sources: [textbook]
"""
TRIGGER_POINT = """
kind: trigger_points
entries:
  - id: piriformis-lateral
    muscle: piriformis
    name: Lateral
    location: {region: buttock-upper, description: Lateral third of the muscle}
    zones:
      - {region: buttock-upper, kind: essential}
      - {region: sacrum, kind: spillover}
    laterality: ipsilateral
    sources: [textbook]
"""


def write_kb(root: Path, **files: str) -> Path:
    defaults = {
        "sources": SOURCES,
        "regions": REGIONS,
        "muscles": MUSCLE,
        "trigger_points": TRIGGER_POINT,
    }
    defaults.update(files)
    for name, text in defaults.items():
        if text:
            (root / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as info:
        load(root)
    return [str(p) for p in info.value.problems]


def test_a_valid_knowledge_base_loads_with_regions_expanded_per_side(tmp_path):
    kb = load(write_kb(tmp_path))
    assert list(kb.regions) == ["buttock-upper-left", "buttock-upper-right", "sacrum"]
    left = kb.regions["buttock-upper-left"]
    assert (left.name, left.side, left.choir, left.snomed) == (
        "Left upper buttock",
        "left",
        223,
        "46862004",
    )
    assert left.mirror_id == "buttock-upper-right"
    assert kb.regions["sacrum"].mirror_id == "sacrum"
    assert kb.trigger_points["piriformis-lateral"].zones[0].kind == "essential"


def test_stats_count_every_kind(tmp_path):
    stats = load(write_kb(tmp_path)).stats()
    assert stats["regions"] == 3
    assert stats["muscles"] == 1
    assert stats["trigger_points"] == 1
    assert stats["sources"] == 1
    assert stats["red_flags"] == 0


def test_a_dangling_reference_names_file_entry_field_and_suggests_the_id(tmp_path):
    bad = TRIGGER_POINT.replace("muscle: piriformis", "muscle: piriformus")
    found = problems(write_kb(tmp_path, trigger_points=bad))
    assert found == [
        "trigger_points.yaml: entry 'piriformis-lateral': field 'muscle': "
        "unknown muscle 'piriformus' (did you mean 'piriformis'?)"
    ]


def test_an_unknown_region_is_reported(tmp_path):
    bad = TRIGGER_POINT.replace(
        "{region: sacrum, kind: spillover}", "{region: coccyx, kind: spillover}"
    )
    found = problems(write_kb(tmp_path, trigger_points=bad))
    assert found == [
        "trigger_points.yaml: entry 'piriformis-lateral': field 'zones.region': "
        "unknown region 'coccyx'"
    ]


def test_a_sided_region_id_is_not_accepted_where_base_ids_are_expected(tmp_path):
    bad = TRIGGER_POINT.replace("region: buttock-upper, kind", "region: buttock-upper-left, kind")
    found = problems(write_kb(tmp_path, trigger_points=bad))
    assert "unknown region 'buttock-upper-left'" in found[0]


def test_a_duplicate_id_names_both_files(tmp_path):
    (tmp_path / "more-muscles.yaml").write_text(textwrap.dedent(MUSCLE), encoding="utf-8")
    found = problems(write_kb(tmp_path))
    assert found == [
        "muscles.yaml: entry 'piriformis': field 'id': "
        "duplicate id: more-muscles.yaml defines it too"
    ]


def test_a_clinical_entry_without_a_source_is_refused(tmp_path):
    bad = MUSCLE.replace("    sources: [textbook]\n", "")
    found = problems(write_kb(tmp_path, muscles=bad))
    assert found == [
        "muscles.yaml: entry 'piriformis': field 'sources': "
        "missing source: cite at least one id from sources.yaml"
    ]


def test_an_unknown_source_is_refused(tmp_path):
    bad = MUSCLE.replace("sources: [textbook]", "sources: [textbook, hearsay]")
    found = problems(write_kb(tmp_path, muscles=bad))
    assert found == ["muscles.yaml: entry 'piriformis': field 'sources': unknown source 'hearsay'"]


def test_a_trigger_point_without_an_essential_zone_is_refused(tmp_path):
    bad = TRIGGER_POINT.replace("kind: essential", "kind: spillover")
    found = problems(write_kb(tmp_path, trigger_points=bad))
    assert len(found) == 1
    assert found[0].startswith("trigger_points.yaml: entry 'piriformis-lateral'")
    assert "at least one essential zone" in found[0]


def test_a_misspelt_field_and_a_wrong_value_are_both_named(tmp_path):
    bad = TRIGGER_POINT.replace("laterality: ipsilateral", "lateralty: ipsilateral")
    bad = bad.replace("kind: spillover", "kind: spilover")
    found = problems(write_kb(tmp_path, trigger_points=bad))
    assert (
        "trigger_points.yaml: entry 'piriformis-lateral': field 'lateralty': unknown field" in found
    )
    assert any("field 'zones[1].kind'" in p and "'essential' or 'spillover'" in p for p in found)
    assert any("field 'laterality'" in p for p in found)


def test_every_problem_is_reported_in_one_run(tmp_path):
    bad_muscle = MUSCLE.replace("sources: [textbook]", "sources: [nothing]")
    bad_tp = TRIGGER_POINT.replace("region: sacrum", "region: nowhere")
    found = problems(write_kb(tmp_path, muscles=bad_muscle, trigger_points=bad_tp))
    assert len(found) == 2


def test_broken_yaml_names_the_file_and_line(tmp_path):
    found = problems(write_kb(tmp_path, muscles="kind: muscles\nentries: [\n  - {id: x\n"))
    assert len(found) == 1
    assert found[0].startswith("muscles.yaml: not valid YAML at line 3")
    assert "line" in found[0]


def test_an_unknown_kind_is_refused(tmp_path):
    found = problems(write_kb(tmp_path, muscles="kind: muscels\nentries: []\n"))
    assert found[0].startswith("muscles.yaml: field 'kind': unknown kind 'muscels'")


def test_the_built_in_knowledge_base_is_valid():
    kb = load_default()
    assert kb.stats()["regions"] >= 100
    for region in kb.regions.values():
        assert kb.regions[region.mirror_id].base == region.base


def test_the_dump_is_plain_json_data():
    import json

    data = load_default().dump()
    assert json.loads(json.dumps(data)) == data
    assert {r["id"] for r in data["regions"]} >= {"sacrum", "si-joint-left", "si-joint-right"}
