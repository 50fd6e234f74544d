"""`myomap regions` and `myomap kb ...`: the stable command-line interfaces."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from myomap.cli.main import main

LUMBOPELVIC = [
    "lumbar-upper",
    "lumbar-lower",
    "thoracolumbar",
    "iliac-crest",
    "si-joint",
    "buttock-upper",
    "buttock-mid",
    "buttock-lower",
    "gluteal-fold",
    "hip-lateral",
    "groin",
    "abdomen-lower",
    "thigh-anterior-proximal",
    "thigh-anterior-distal",
    "thigh-lateral-proximal",
    "thigh-lateral-distal",
    "thigh-medial-proximal",
    "thigh-medial-distal",
    "thigh-posterior-proximal",
    "thigh-posterior-distal",
    "knee-back",
    "calf-upper",
    "calf-lower",
    "heel",
    "foot-plantar",
]


def run_json(capsys, *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_regions_json_lists_over_a_hundred_regions_in_the_stable_shape(capsys):
    regions = run_json(capsys, "regions", "--json")
    assert len(regions) >= 100
    for region in regions:
        assert {"id", "name", "view", "side", "aliases", "snomed"} <= set(region)
        assert region["view"] in ("front", "back")
        assert region["side"] in ("left", "right", "midline")
    ids = [r["id"] for r in regions]
    assert len(ids) == len(set(ids))


def test_every_lumbopelvic_region_exists_on_both_sides(capsys):
    ids = {r["id"] for r in run_json(capsys, "regions", "--json")}
    missing = [f"{b}-{s}" for b in LUMBOPELVIC for s in ("left", "right") if f"{b}-{s}" not in ids]
    assert missing == []
    assert {"sacrum", "coccyx", "spine-lumbar"} <= ids


def test_region_names_say_which_side_and_codes_are_filled_where_known(capsys):
    regions = {r["id"]: r for r in run_json(capsys, "regions", "--json")}
    assert regions["si-joint-left"]["name"] == "Left sacroiliac joint"
    assert regions["si-joint-left"]["snomed"] == "39723000"
    assert regions["lumbar-lower-right"]["snomed"] == "1017211000"
    assert regions["buttock-upper-left"]["choir"] == 223


def test_regions_table_is_readable(capsys):
    assert main(["regions", "--view", "back"]) == 0
    out = capsys.readouterr().out
    assert "Left sacroiliac joint" in out
    assert "Front of knee" not in out and "Left front of knee" not in out
    assert "Left and right are the client's." in out


def test_kb_check_passes_on_the_built_in_knowledge_base(capsys):
    assert main(["kb", "check"]) == 0
    assert capsys.readouterr().out.startswith("Knowledge base OK")


def test_kb_check_exits_1_and_names_the_problem(tmp_path, capsys):
    (tmp_path / "sources.yaml").write_text("kind: sources\nentries:\n  - {id: s, type: textbook}\n")
    assert main(["kb", "check", "--path", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "sources.yaml: entry 's': field 'citation': Field required" in err


def test_kb_check_on_a_missing_folder_says_so(tmp_path, capsys):
    assert main(["kb", "check", "--path", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_kb_stats_json_counts_every_kind(capsys):
    stats = run_json(capsys, "kb", "stats", "--json")
    for kind in (
        "sources",
        "regions",
        "muscles",
        "trigger_points",
        "exercises",
        "red_flags",
        "contraindications",
    ):
        assert isinstance(stats[kind], int)
    assert stats["regions"] >= 100


def test_kb_dump_json_holds_the_whole_knowledge_base(capsys):
    dump = run_json(capsys, "kb", "dump", "--json")
    assert len(dump["regions"]) >= 100
    assert any(s["id"] == "furlan-2015" for s in dump["sources"])


def test_the_installed_command_runs(tmp_path):
    exe = Path(sys.executable).parent / "myomap"
    out = subprocess.run(
        [str(exe), "kb", "stats", "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={"MYOMAP_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert json.loads(out.stdout)["regions"] >= 100
