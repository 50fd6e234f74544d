"""`myomap explain`: the readable table, the JSON shape, bad input and batches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from myomap.cli.main import main

EXE = str(Path(sys.executable).parent / "myomap")


def test_the_table_ranks_explains_and_names_the_cover(capsys):
    code = main(["explain", "--region", "buttock-upper-left:7", "--region", "si-joint-left:5"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Pain drawing: Left upper buttock 7/10, Left sacroiliac joint 5/10")
    assert "Trigger points to examine, most likely first:" in out
    assert "sacroiliac joint (essential)" in out
    assert "Smallest set of muscles that explains the whole drawing:" in out
    assert "not a diagnosis" in out
    rows = [line for line in out.splitlines() if line[:3].strip().isdigit()]
    scores = [float(line.split()[1]) for line in rows]
    assert scores == sorted(scores, reverse=True) and len(rows) == 10


def test_json_output_has_the_stable_shape(capsys):
    assert main(["explain", "--region", "hip-lateral-right:6", "--json", "--top", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["candidates"]) == 3
    first = data["candidates"][0]
    assert {"muscle", "trigger_point", "side", "score", "explains", "unexplained"} <= set(first)
    assert first["side"] == "right"
    assert data["cover"] and data["unexplained"] == []


def test_a_finding_moves_its_point_to_the_top(capsys):
    main(
        [
            "explain",
            "--region",
            "si-joint-left:5",
            "--json",
            "--finding",
            "soleus-upper:left=tender,referral",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert data["candidates"][0]["trigger_point"] == "soleus-upper"
    assert data["candidates"][0]["findings"][0]["effect"] > 0


def test_a_bare_region_id_means_intensity_five(capsys):
    main(["explain", "--region", "sacrum", "--json"])
    assert json.loads(capsys.readouterr().out)["candidates"]


def test_an_unknown_region_exits_2_and_names_it(capsys):
    assert main(["explain", "--region", "lumbar-lowr-left:5"]) == 2
    err = capsys.readouterr().err
    assert "unknown region 'lumbar-lowr-left'" in err and "lumbar-lower-left" in err


def test_an_intensity_outside_0_to_10_exits_2(capsys):
    assert main(["explain", "--region", "sacrum:12"]) == 2
    assert "must be a whole number 0-10" in capsys.readouterr().err


def test_an_empty_drawing_says_so(capsys):
    assert main(["explain"]) == 0
    assert "The drawing is empty" in capsys.readouterr().out


def test_a_batch_writes_one_result_per_line_with_a_progress_bar(tmp_path):
    source = tmp_path / "in.jsonl"
    lines = [
        {"id": "a", "regions": {"si-joint-left": 5, "buttock-upper-left": 7}},
        {
            "id": "b",
            "regions": {"hip-lateral-right": 6},
            "findings": ["tensor-fasciae-latae-belly:right=tender"],
        },
        {"regions": {}},
    ]
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [EXE, "explain", "--batch", str(source), "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "[##############################] 100% 3/3 drawings" in done.stderr
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r.get("id") for r in results] == ["a", "b", None]
    assert [r["line"] for r in results] == [1, 2, 3]
    assert results[0]["candidates"][0]["side"] == "left"
    assert results[2]["message"].startswith("The drawing is empty")


def test_a_bad_line_stops_the_batch_names_the_line_and_writes_nothing(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"regions": {"sacrum": 4}}\n{"regions": {"sacrum": 14}}\n')
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [EXE, "explain", "--batch", str(source), "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "line 2: intensity of 'sacrum' must be a whole number 0-10" in done.stderr
    assert "Nothing was written" in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


def test_skip_invalid_records_the_error_and_goes_on(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"regions": {"coccyx": 5}}\nnot json\n{"regions": {"sacrum": 4}}\n')
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [EXE, "explain", "--batch", str(source), "--out", str(out), "--skip-invalid"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    results = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3]  # the input's order
    assert "not valid JSON" in results[1]["error"]
    assert results[0]["candidates"] and results[2]["candidates"]


def test_batch_needs_an_output_file(tmp_path, capsys):
    assert main(["explain", "--batch", str(tmp_path / "x.jsonl")]) == 2
    assert "--batch needs --out" in capsys.readouterr().err
