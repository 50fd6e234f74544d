"""The fast `myomap explain --batch`: however the file is cut into blocks and chunks, each
result line holds exactly the bytes `myomap explain --json` would give for that drawing,
after "line" (and "id"), and bad lines are reported as before."""

from __future__ import annotations

import json

import orjson
import pytest

from myomap.cli import explain_batch
from myomap.cli.main import main
from myomap.core.referral import explain, parse_finding, scorer

MODEL = scorer().model

LINES = [
    b'{"id": "a", "regions": {"si-joint-left": 5, "buttock-upper-left": 7}}',
    b"",
    b'{"regions": {"hip-lateral-right": 6},'
    b' "findings": ["tensor-fasciae-latae-belly:right=tender"]}',
    b"   \t",
    b'{"regions": {"sacrum": 4.0, "coccyx": "3", "lumbar-lower-left": 0}}\r',
    b'{"regions": {}}',
    b'{"id": 7, "regions": {' + b", ".join(b'"%s": 6' % r.encode() for r in MODEL.regions) + b"}}",
    b'{"regions": {"thigh-lateral-distal-right": 10, "calf-upper-left": 1}, "findings": []}',
    b'{"id": null, "regions": {"gluteal-fold-left": 2, "gluteal-fold-right": 2}}',
]


def expected_line(number: int, raw: bytes, top: int | None = 10) -> bytes:
    """What the batch must write for one good line: the plain path's bytes."""
    data = json.loads(raw)
    findings = [parse_finding(f, MODEL) for f in data.get("findings") or []]
    answer = explain(data["regions"], findings, top=top).as_json()
    head = {"line": number} | ({"id": data["id"]} if "id" in data else {})
    return orjson.dumps(head | answer) + b"\n"


@pytest.mark.parametrize(("block", "chunk"), [(1 << 19, 4096), (40, 2), (7, 1), (300, 3)])
@pytest.mark.parametrize("last_newline", [True, False])
def test_every_cut_of_the_file_gives_the_plain_paths_bytes(
    tmp_path, monkeypatch, block, chunk, last_newline
):
    monkeypatch.setattr(explain_batch, "BLOCK_BYTES", block)
    monkeypatch.setattr(explain_batch, "CHUNK", chunk)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES) + (b"\n" if last_newline else b""))
    out = tmp_path / "out.jsonl"
    assert main(["explain", "--batch", str(source), "--out", str(out)]) == 0
    want = b"".join(
        expected_line(number, raw) for number, raw in enumerate(LINES, start=1) if raw.strip()
    )
    assert out.read_bytes() == want


def test_all_candidates_with_top_0(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES) + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["explain", "--batch", str(source), "--out", str(out), "--top", "0"]) == 0
    want = b"".join(
        expected_line(number, raw, None) for number, raw in enumerate(LINES, start=1) if raw.strip()
    )
    assert out.read_bytes() == want


@pytest.mark.parametrize("chunk", [4096, 2])
def test_a_bad_last_line_without_newline_is_named_with_its_json_error(
    tmp_path, monkeypatch, capsys, chunk
):
    monkeypatch.setattr(explain_batch, "CHUNK", chunk)
    bad = b'{"regions": {"sacrum": 4'
    source = tmp_path / "in.jsonl"
    source.write_bytes(LINES[0] + b"\n" + LINES[5] + b"\n\n" + bad)
    out = tmp_path / "out.jsonl"
    assert main(["explain", "--batch", str(source), "--out", str(out)]) == 2
    with pytest.raises(orjson.JSONDecodeError) as error:
        orjson.loads(bad)
    assert f"in.jsonl, line 4: not valid JSON ({error.value})" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


def test_skip_invalid_keeps_the_order_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(explain_batch, "CHUNK", 2)
    lines = [LINES[0], b"not json", LINES[5], b'{"regions": {"sacrum": 14}}', LINES[7]]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["explain", "--batch", str(source), "--out", str(out), "--skip-invalid"]) == 0
    results = out.read_bytes().splitlines(keepends=True)
    assert [json.loads(r)["line"] for r in results] == [1, 2, 3, 4, 5]
    assert results[0] == expected_line(1, lines[0])
    assert results[2] == expected_line(3, lines[2])
    assert results[4] == expected_line(5, lines[4])
    assert json.loads(results[1])["error"].startswith("not valid JSON")
    assert json.loads(results[3]) == {
        "line": 4,
        "error": "intensity of 'sacrum' must be a whole number 0-10, not 14",
    }


def test_a_tiny_fragment_cache_and_colliding_slots_give_the_same_bytes(tmp_path, monkeypatch):
    """Made fragments are forgotten between chunks and lookups collide all the time: the
    lines must not change (a fragment's number is never reused while it is in use)."""
    from myomap.core.referral import jsonl

    monkeypatch.setattr(jsonl, "CACHE_LIMIT", 3)
    monkeypatch.setattr(jsonl, "SLOT_BITS", 2)
    monkeypatch.setattr(jsonl, "SLOTS", 4)
    monkeypatch.setattr(explain_batch, "CHUNK", 2)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES * 3) + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["explain", "--batch", str(source), "--out", str(out)]) == 0
    want = b"".join(
        expected_line(number, raw) for number, raw in enumerate(LINES * 3, start=1) if raw.strip()
    )
    assert out.read_bytes() == want


def test_whole_body_drawings_are_written_from_fragments_with_the_same_bytes(tmp_path, monkeypatch):
    """The knowledge base names more than 64 muscle sides: the fast writer still serves
    every line but those with findings or an empty drawing (it once gave every line to
    the plain path, four times slower), and the bytes stay the plain path's."""
    from myomap.core.referral import jsonl

    assert len(MODEL.units) > 64
    plain_rows: list[int] = []
    rows_as_json = jsonl.rows_as_json

    def spy(batch, top, rows):
        plain_rows.extend(rows)
        return rows_as_json(batch, top, rows)

    monkeypatch.setattr(jsonl, "rows_as_json", spy)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES) + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["explain", "--batch", str(source), "--out", str(out)]) == 0
    kept = [raw for raw in LINES if raw.strip()]
    # Row 1 has a finding, row 3 an empty drawing: only they take the plain path.
    assert plain_rows == [1, 3]
    assert out.read_bytes() == b"".join(
        expected_line(number, raw) for number, raw in enumerate(LINES, start=1) if raw.strip()
    )
    assert len(out.read_bytes().splitlines()) == len(kept)


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_several_processes_write_the_same_bytes_in_the_input_order(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(explain_batch, "CHUNK", 2)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES * 4) + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["explain", "--batch", str(source), "--out", str(out), "--jobs", jobs]) == 0
    want = b"".join(
        expected_line(number, raw) for number, raw in enumerate(LINES * 4, start=1) if raw.strip()
    )
    assert out.read_bytes() == want
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_a_bad_line_in_a_worker_stops_the_run_and_leaves_no_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(explain_batch, "CHUNK", 2)
    lines = [LINES[0]] * 9 + [b'{"regions": {"sacrum": 14}}'] + [LINES[0]] * 9
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["explain", "--batch", str(source), "--out", str(out), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert "in.jsonl, line 10: intensity of 'sacrum' must be a whole number 0-10, not 14" in err
    assert "Nothing was written." in err
    assert list(tmp_path.iterdir()) == [source]


def test_skip_invalid_in_several_processes_keeps_every_line_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(explain_batch, "CHUNK", 2)
    lines = [LINES[0], b"not json", LINES[5], b'{"regions": {"sacrum": 14}}', LINES[7]] * 3
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    args = ["explain", "--batch", str(source), "--out", str(out), "--skip-invalid", "--jobs", "2"]
    assert main(args) == 0
    results = out.read_bytes().splitlines(keepends=True)
    assert [json.loads(r)["line"] for r in results] == list(range(1, 16))
    assert results[10] == expected_line(11, lines[10])
    assert json.loads(results[13])["error"].startswith("intensity of 'sacrum'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--batch", "in.jsonl", "--out", "out.jsonl", "--jobs", "-1"], "--jobs must be 0"),
        (["--region", "sacrum", "--jobs", "2"], "--jobs goes with --batch"),
    ],
)
def test_a_wrong_jobs_option_is_named(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_bytes(LINES[0] + b"\n")
    assert main(["explain", *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("block", [1, 3, 7, 1 << 19])
def test_the_progress_total_counts_the_lines_that_hold_something(tmp_path, monkeypatch, block):
    """However the file is cut into blocks: blank and whitespace-only lines are not counted
    (the batch skips them), a last line without a newline is."""
    monkeypatch.setattr(explain_batch, "BLOCK_BYTES", block)
    path = tmp_path / "in.jsonl"
    for data in [
        b"",
        b"\n\n",
        b"a",
        b"a\n",
        b" \t\r\n\x0b\x0c\n{}",
        b"\n".join(LINES),
        b"\n".join(LINES) + b"\n  ",
        b"{\xc3\xa9}\r\n\n \n{}\n",
    ]:
        path.write_bytes(data)
        lines = data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")
        assert explain_batch._count_lines(path) == sum(1 for line in lines if line.strip())
