"""`myomap backup FILE` / `myomap restore FILE`: the demo clinic backed up and restored into
a new empty data folder with every row and microsecond timestamp back (the canonical dumps
equal); a backup taken while another thread writes restores sound; a non-empty target, a
tampered archive and a missing or foreign file are refused with nothing changed; the
archive and the restored files are 0600; both are in the audit log. On PostgreSQL (when
one is reachable at 127.0.0.1:5432) the same round trip through pg_dump and pg_restore."""

from __future__ import annotations

import io
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
import uuid
from pathlib import Path

import pytest

from myomap.backup import BackupError, archive, canonical, ops, sqlite

MYOMAP = [sys.executable, "-m", "myomap.cli.main"]


def myomap(*args: str, data_dir: Path, url: str = "") -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "MYOMAP"))}
    environ.pop("DATABASE_URL", None)
    environ["MYOMAP_DATA_DIR"] = str(data_dir)
    if url:
        environ["DATABASE_URL"] = url
    return subprocess.run(
        [*MYOMAP, *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo clinic in its own data folder, and a backup of it."""
    root = tmp_path_factory.mktemp("backup")
    source = root / "source"
    assert myomap("demo", data_dir=source).returncode == 0
    made = myomap("backup", str(root / "clinic.backup"), data_dir=source)
    assert made.returncode == 0, made.stderr
    assert "database pages" in made.stderr  # progress on stderr
    return source, root / "clinic.backup"


def test_a_restore_into_an_empty_data_folder_brings_every_row_and_timestamp_back(
    demo_backup: tuple[Path, Path], tmp_path: Path
) -> None:
    source, backup = demo_backup
    target = tmp_path / "new"
    done = myomap("restore", str(backup), data_dir=target)
    assert done.returncode == 0, done.stderr
    assert "Canonical dump matches the backup" in done.stdout
    restored = target / "myomap.sqlite3"
    # The dumps equal, bar the audit events written after the snapshot.
    expected = archive.read(backup).manifest["canonical_sha256"]
    assert expected in done.stdout
    events = "SELECT id, at, action, summary FROM audit_auditevent ORDER BY id"
    before = rows(source / "myomap.sqlite3", events)
    after = rows(restored, events)
    assert after[: len(before) - 1] == before[:-1]  # the source's last is "backup made"
    assert before[-1][2:] == (
        "export",
        f"backup made: {backup.name} (database.sqlite3, secret_key)",
    )
    assert after[-1][2:] == ("create", f"restored from backup {backup.name}")
    stamps = rows(restored, "SELECT at FROM audit_auditevent")
    assert any("." in str(s[0]) and len(str(s[0]).split(".")[1]) == 6 for s in stamps)
    clients = "SELECT * FROM clients_client ORDER BY id"
    assert rows(restored, clients) == rows(source / "myomap.sqlite3", clients) != []
    assert (target / "secret_key").read_bytes() == (source / "secret_key").read_bytes()
    for path in (backup, restored, target / "secret_key"):
        assert mode(path) == 0o600, path
    assert mode(target) == 0o700


def test_verify_checks_the_archive_and_prints_its_manifest(demo_backup: tuple[Path, Path]) -> None:
    _, backup = demo_backup
    done = myomap("backup", "--verify", str(backup), data_dir=backup.parent / "unused")
    assert done.returncode == 0
    assert "every member matches its checksum" in done.stdout
    assert "database_vendor: sqlite" in done.stdout


def test_a_non_empty_data_folder_is_refused_and_left_as_it_was(
    demo_backup: tuple[Path, Path], tmp_path: Path
) -> None:
    _, backup = demo_backup
    (tmp_path / "notes.txt").write_text("mine")
    done = myomap("restore", str(backup), data_dir=tmp_path)
    assert done.returncode == 2
    assert "is not empty" in done.stderr and "Nothing was changed" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_tampered_archive_is_refused_naming_the_member(
    demo_backup: tuple[Path, Path], tmp_path: Path
) -> None:
    _, backup = demo_backup
    tampered = tmp_path / "tampered.backup"
    with tarfile.open(backup) as src, tarfile.open(tampered, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == "secret_key":
                data = b"x" + data[1:]
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    target = tmp_path / "new"
    done = myomap("restore", str(tampered), data_dir=target)
    assert done.returncode == 2
    assert "member 'secret_key' does not match its checksum" in done.stderr
    assert not target.exists()


def test_a_missing_or_foreign_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = myomap("restore", str(tmp_path / "nope"), data_dir=tmp_path / "d")
    assert missing.returncode == 2 and "no backup file at" in missing.stderr
    foreign = tmp_path / "photo.jpg"
    foreign.write_bytes(b"\xff\xd8 not a backup")
    wrong = myomap("restore", str(foreign), data_dir=tmp_path / "d")
    assert wrong.returncode == 2 and "is not a Myomap backup" in wrong.stderr
    assert not (tmp_path / "d").exists()


def test_a_backup_over_an_existing_file_is_refused(demo_backup: tuple[Path, Path]) -> None:
    source, backup = demo_backup
    before = backup.read_bytes()
    done = myomap("backup", str(backup), data_dir=source)
    assert done.returncode == 2 and "already exists" in done.stderr
    assert backup.read_bytes() == before


def test_a_backup_taken_while_another_thread_writes_is_consistent(tmp_path: Path) -> None:
    data_dir = tmp_path / "busy"
    data_dir.mkdir()
    db = data_dir / "myomap.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, at TEXT, body TEXT)")
    conn.executemany(
        "INSERT INTO note (at, body) VALUES (?, ?)",
        [(f"2026-01-01 10:00:00.{i:06d}", "x" * 500) for i in range(3000)],
    )
    conn.commit()
    conn.close()
    stop = threading.Event()

    def write() -> None:
        writer = sqlite3.connect(db, timeout=30)
        i = 0
        while not stop.is_set():
            writer.execute("INSERT INTO note (at, body) VALUES (?, ?)", (f"w{i}", "y" * 500))
            writer.execute("UPDATE note SET body = ? WHERE id = ?", (f"u{i}", 1 + i % 3000))
            writer.commit()
            i += 1
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        sqlite.PAGES_PER_STEP = 8  # small steps, so the writer runs in between
        made = ops.backup_sqlite(data_dir, tmp_path / "busy.backup", "test", lambda _: None)
    finally:
        sqlite.PAGES_PER_STEP = 1024
        stop.set()
        thread.join()
    contents = archive.read(tmp_path / "busy.backup")
    target = tmp_path / "restored"
    ops.restore_files(contents, target, keep_key=True)
    restored = target / "myomap.sqlite3"
    assert sqlite.integrity(restored) == "ok"
    assert canonical.sqlite_digest(restored) == made.canonical
    assert rows(restored, "SELECT count(*) FROM note")[0][0] >= 3000


def test_the_canonical_dump_sees_a_one_microsecond_change(tmp_path: Path) -> None:
    db = tmp_path / "one.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT)")
    conn.execute("INSERT INTO t VALUES (1, '2026-01-01 10:00:00.000001')")
    conn.commit()
    first = canonical.sqlite_digest(db)
    conn.execute("UPDATE t SET at = '2026-01-01 10:00:00.000002'")
    conn.commit()
    conn.close()
    assert canonical.sqlite_digest(db) != first


def test_a_full_disk_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "open", full)
    with pytest.raises(BackupError, match="the disk is full"):
        archive.write_private(tmp_path / "x", b"data")


def _postgres_url() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
    except OSError:
        return None
    return "postgres://postgres@127.0.0.1:5432/"


@pytest.mark.skipif(_postgres_url() is None, reason="no PostgreSQL at 127.0.0.1:5432")
def test_a_postgresql_round_trip_through_pg_dump_and_pg_restore(tmp_path: Path) -> None:
    import psycopg

    base = _postgres_url()
    names = [f"myomap_backup_{uuid.uuid4().hex[:10]}_{which}" for which in ("src", "dst")]
    admin = psycopg.connect(base + "postgres", autocommit=True)
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        source, target = (f"{base}{name}" for name in names)
        folder = tmp_path / "pg"
        assert myomap("demo", data_dir=folder, url=source).returncode == 0
        backup = tmp_path / "pg.backup"
        made = myomap("backup", str(backup), data_dir=folder, url=source)
        assert made.returncode == 0, made.stderr
        assert mode(backup) == 0o600
        refused = myomap("restore", str(backup), data_dir=tmp_path / "pg2", url=source)
        assert refused.returncode == 2 and names[0] in refused.stderr
        done = myomap("restore", str(backup), data_dir=tmp_path / "pg2", url=target)
        assert done.returncode == 0, done.stderr
        assert "Canonical dump matches the backup" in done.stdout
        with psycopg.connect(target) as conn:
            restored = conn.execute("SELECT * FROM clients_client ORDER BY id").fetchall()
        with psycopg.connect(source) as conn:
            assert restored == conn.execute("SELECT * FROM clients_client ORDER BY id").fetchall()
        assert restored
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
