"""`myomap score INSTRUMENT --answers ... [--json]` through the real command line: the
stable JSON keys and values, the words for people, and exit 2 naming the item."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from myomap.cli.main import main

EXE = str(Path(sys.executable).parent / "myomap")


def scored(capsys, *argv: str) -> dict[str, object]:
    assert main(["score", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def refused(capsys, *argv: str) -> str:
    assert main(["score", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_rmdq_json_has_the_stable_keys(capsys):
    data = scored(capsys, "rmdq", "--answers", ",".join(["1"] * 14 + ["0"] * 10))
    assert {"instrument", "score", "answered"} <= set(data)
    assert (data["instrument"], data["score"], data["answered"]) == ("rmdq", 14, 24)
    assert data["range"] == [0, 24] and data["missing"] == [] and "band" not in data


def test_odi_with_a_blank_section_divides_by_45_and_gives_its_band(capsys):
    data = scored(capsys, "odi", "--answers", "3,2,1,2,2,1,2,,2,1")
    assert (data["score"], data["band"], data["answered"]) == (35.6, "moderate disability", 9)
    assert data["missing"] == ["section-8"]
    dash = scored(capsys, "odi", "--answers=-,2,1,2,2,1,2,1,2,1")
    assert (dash["score"], dash["missing"]) == (31.1, ["section-1"])  # 14/45


def test_startback_gives_risk_and_the_psychosocial_subscale(capsys):
    data = scored(capsys, "startback", "--answers", "0,0,0,0,1,1,1,0,4")
    assert (data["score"], data["risk"], data["subscales"]) == (4, "high", {"psychosocial": 4})
    assert "band" not in data
    low = scored(capsys, "startback", "--answers", "1,1,1,0,0,0,0,0,2")
    assert (low["score"], low["risk"]) == (3, "low")


@pytest.mark.parametrize(
    ("argv", "value"),
    [
        (("nprs", "--answers", "7"), 7),
        (("psfs", "--answers", "3,4,6"), 4.3),
        (("peg", "--answers", "7,6,4"), 5.7),
    ],
)
def test_the_other_instruments_score(capsys, argv, value):
    assert scored(capsys, *argv)["score"] == value


def test_the_words_for_people(capsys):
    assert main(["score", "startback", "--answers", "1,1,1,1,1,1,0,0,3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "STarT Back 7 (range 0-9, higher is worse): medium risk",
        "Psychosocial subscale (items 5-9): 3 (range 0-5)",
        "9 of 9 items answered",
    ]


def test_an_out_of_range_answer_is_exit_2_naming_the_item(capsys):
    err = refused(capsys, "rmdq", "--answers", ",".join(["0"] * 13 + ["2"] + ["0"] * 10))
    assert "RMDQ item 14 (Statement 14): 2 is out of range; expected 0 or 1" in err
    assert "ODI section 3 (Lifting): 6 is out of range" in refused(
        capsys, "odi", "--answers", "1,1,6,1,1,1,1,1,1,1"
    )


def test_a_missing_required_answer_is_exit_2_naming_the_item(capsys):
    assert "PEG item 2 (Interference with enjoyment of life): an answer is required" in refused(
        capsys, "peg", "--answers", "5,-,5"
    )
    assert "RMDQ item 4 (Statement 4): an answer is required" in refused(
        capsys, "rmdq", "--answers", "1,1,1"
    )
    assert "3 sections unanswered (sections 2, 4, 7)" in refused(
        capsys, "odi", "--answers", "4,,4,,4,4,,4,4,4"
    )


def test_not_a_number_too_many_answers_and_an_unknown_instrument(capsys):
    assert "NPRS item 1 (Pain intensity): 'high' is not a whole number" in refused(
        capsys, "nprs", "--answers", "high"
    )
    assert "NPRS has 1 item, got 2 answers" in refused(capsys, "nprs", "--answers", "3,4")
    # an answer past the last item is refused, whatever it says, never silently dropped
    assert "NPRS has 1 item, got 2 answers" in refused(capsys, "nprs", "--answers", "3,x")
    assert "NPRS has 1 item, got 3 answers" in refused(capsys, "nprs", "--answers", "3,x,yes,")
    assert scored(capsys, "peg", "--answers", "4,5,6,")["score"] == 5  # a trailing comma
    err = refused(capsys, "sf36", "--answers", "1")
    assert "unknown instrument 'sf36'" in err and "rmdq" in err


def test_the_installed_command_exits_2_on_stderr():
    out = subprocess.run(
        [EXE, "score", "nprs", "--answers", "11"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 2 and out.stdout == ""
    assert "NPRS item 1 (Pain intensity): 11 is out of range" in out.stderr
