"""Startup checks of the command line: a broken knowledge folder stops `myomap serve` with
the list `myomap kb check` prints; `--out` that cannot take the results is a clear error;
the data folder and its files are made private."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from myomap.cli.main import build_parser, main
from myomap.core.kb import loader
from myomap.web.bootstrap import prepare_environment

EXE = str(Path(sys.executable).parent / "myomap")
KNOWLEDGE = Path(loader.__file__).resolve().parents[2] / "knowledge"


@pytest.fixture
def broken_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    (folder / "broken.yaml").write_text("kind: muscles\nentries: [\n", encoding="utf-8")
    return folder


def test_a_broken_knowledge_folder_stops_serve_with_the_list_kb_check_prints(
    broken_knowledge: Path, tmp_path: Path
) -> None:
    env = os.environ | {
        "MYOMAP_KNOWLEDGE_DIR": str(broken_knowledge),
        "MYOMAP_DATA_DIR": str(tmp_path / "data"),
    }
    check = subprocess.run([EXE, "kb", "check"], env=env, capture_output=True, text=True)
    serve = subprocess.run([EXE, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert check.returncode == 1 and serve.returncode == 1
    assert "broken.yaml: not valid YAML at line 3" in check.stderr
    assert serve.stderr.startswith(check.stderr)
    assert "myomap serve: not started: fix the knowledge base" in serve.stderr
    assert "Traceback" not in serve.stderr and "Myomap is running" not in serve.stdout
    assert not (tmp_path / "data").exists()  # stopped before touching anything


@pytest.fixture
def drawings(tmp_path: Path) -> Path:
    source = tmp_path / "in.jsonl"
    source.write_text('{"regions": {"sacrum": 4}}\n', encoding="utf-8")
    return source


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("missing/out.jsonl", "no such folder: "),
        (".", "is a folder; give a file name"),
        ("in.jsonl", "is the input file; the results would replace the drawings"),
    ],
    ids=["a missing folder", "a folder", "the input file"],
)
def test_out_that_cannot_take_the_results_is_a_clear_error(
    drawings: Path, out: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = drawings.parent / out
    assert main(["explain", "--batch", str(drawings), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"myomap explain: --out {target}: {message}" in err
    assert drawings.read_text(encoding="utf-8") == '{"regions": {"sacrum": 4}}\n'
    assert sorted(p.name for p in drawings.parent.iterdir()) == ["in.jsonl"]


@pytest.fixture
def umask():
    """prepare_environment tightens the process's umask: give the test run its own back."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


def test_the_data_folder_and_its_files_are_made_private_and_what_was_fixed_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], umask
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    database = data / "myomap.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    monkeypatch.setenv("MYOMAP_DATA_DIR", str(data))
    monkeypatch.delenv("MYOMAP_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    fixed = prepare_environment()

    assert fixed == [
        f"made {data} private (0755 -> 0700)",
        f"made {database} private (0644 -> 0600)",
    ]
    assert capsys.readouterr().err.splitlines() == [f"Myomap: {line}" for line in fixed]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600
    (data / "myomap.sqlite3-wal").write_bytes(b"")  # as SQLite creates it, under the umask
    assert stat.S_IMODE((data / "myomap.sqlite3-wal").stat().st_mode) == 0o600
    assert prepare_environment() == []  # nothing left to fix


def test_a_fresh_data_folder_is_created_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask
) -> None:
    data = tmp_path / "new" / "data"
    monkeypatch.setenv("MYOMAP_DATA_DIR", str(data))
    monkeypatch.delenv("MYOMAP_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert prepare_environment() == []
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_no_demo_is_kept_as_a_flag_that_does_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["serve", "--no-demo"])
    assert args.no_demo and not args.demo
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--no-demo does nothing: without --demo no demo data is created" in help_text
    assert "on the first run of an empty database, create the demo clinic" in help_text
