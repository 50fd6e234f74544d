"""Encrypted backups (`--passphrase-file` or MYOMAP_BACKUP_PASSPHRASE): the archive is
sealed with AES-256-GCM under a key derived with scrypt (its parameters and a random salt
in the file's header); `backup --verify` and `restore` need the same passphrase. A wrong
passphrase, a changed byte of the ciphertext or of the header is refused in words, with
nothing restored."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from myomap.backup import BackupError, archive, crypto

MYOMAP = [sys.executable, "-m", "myomap.cli.main"]
SECRET = "correct horse battery staple"


def myomap(
    *args: str, data_dir: Path, passphrase: str | None = None, url: str = ""
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "MYOMAP"))}
    environ.pop("DATABASE_URL", None)
    environ["MYOMAP_DATA_DIR"] = str(data_dir)
    if url:
        environ["DATABASE_URL"] = url
    if passphrase is not None:
        environ["MYOMAP_BACKUP_PASSPHRASE"] = passphrase
    return subprocess.run(
        [*MYOMAP, *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


# ----------------------------------------------------------------------------- the seal
@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cheaper scrypt for the unit tests (the file's header says which was used)."""
    monkeypatch.setattr(crypto, "SCRYPT_N", 2**10)


def test_a_sealed_archive_opens_with_its_passphrase_only(quick: None) -> None:
    data = b"the archive's bytes" * 100
    sealed = crypto.seal(data, SECRET)
    assert crypto.is_sealed(sealed) and data not in sealed
    header = json.loads(sealed.split(b"\n", 1)[0][len(crypto.MAGIC) :])
    assert (header["kdf"], header["n"], header["cipher"]) == ("scrypt", 2**10, "AES-256-GCM")
    assert crypto.unseal(sealed, SECRET, "x") == data
    assert crypto.seal(data, SECRET) != sealed  # a new salt and nonce each time
    with pytest.raises(BackupError, match="the passphrase is wrong, or the file was changed"):
        crypto.unseal(sealed, SECRET + "!", "x")
    with pytest.raises(BackupError, match="x is encrypted: give its passphrase"):
        crypto.unseal(sealed, None, "x")


@pytest.mark.parametrize("where", ["ciphertext", "tag", "salt in the header"])
def test_a_changed_byte_is_refused(quick: None, where: str) -> None:
    sealed = bytearray(crypto.seal(b"x" * 1000, SECRET))
    header_end = sealed.index(b"\n")
    if where == "ciphertext":
        sealed[header_end + 10] ^= 1
    elif where == "tag":
        sealed[-1] ^= 1
    else:
        salt = sealed.index(b'"salt": "') + len(b'"salt": "')
        sealed[salt] = ord("A") if sealed[salt] != ord("A") else ord("B")
    with pytest.raises(BackupError, match="the passphrase is wrong, or the file was changed"):
        crypto.unseal(bytes(sealed), SECRET, "x")


def test_a_header_that_is_not_ours_or_a_short_passphrase_is_refused(quick: None) -> None:
    with pytest.raises(BackupError, match="encryption header is unreadable"):
        crypto.unseal(crypto.MAGIC + b"{nonsense\n" + b"x" * 40, SECRET, "x")
    greedy = crypto.seal(b"x", SECRET).replace(b'"n": 1024', b'"n": 1073741824')
    with pytest.raises(BackupError, match="encryption header is unreadable"):
        crypto.unseal(greedy, SECRET, "x")
    with pytest.raises(BackupError, match="too short: use at least 8 characters"):
        crypto.seal(b"x", "short")


# ----------------------------------------------------------------------------- the commands
@pytest.fixture(scope="module")
def sealed_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("sealed")
    source = root / "source"
    assert myomap("demo", data_dir=source).returncode == 0
    secret = root / "passphrase.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    made = myomap(
        "backup", str(root / "clinic.backup"), "--passphrase-file", str(secret), data_dir=source
    )
    assert made.returncode == 0, made.stderr
    assert "(0600, encrypted)" in made.stdout
    return source, root / "clinic.backup", secret


def test_an_encrypted_backup_restores_every_row(
    sealed_backup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    source, backup, secret = sealed_backup
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    raw = backup.read_bytes()
    assert raw.startswith(crypto.MAGIC) and b"manifest.json" not in raw
    assert archive.is_encrypted(backup)

    verified = myomap("backup", "--verify", str(backup), data_dir=source, passphrase=SECRET)
    assert verified.returncode == 0, verified.stderr
    assert "every member matches its checksum (encrypted" in verified.stdout

    target = tmp_path / "new"
    done = myomap("restore", str(backup), "--passphrase-file", str(secret), data_dir=target)
    assert done.returncode == 0, done.stderr
    assert "Canonical dump matches the backup" in done.stdout
    assert (target / "myomap.sqlite3").is_file()


def test_restore_and_verify_refuse_without_the_right_passphrase(
    sealed_backup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    source, backup, _ = sealed_backup
    target = tmp_path / "new"
    missing = myomap("restore", str(backup), data_dir=target)
    assert missing.returncode == 2 and "is encrypted: give its passphrase" in missing.stderr
    wrong = myomap("restore", str(backup), data_dir=target, passphrase="not the passphrase")
    assert wrong.returncode == 2 and "the passphrase is wrong" in wrong.stderr
    verify = myomap("backup", "--verify", str(backup), data_dir=source, passphrase="wrong one!")
    assert verify.returncode == 2 and "the passphrase is wrong" in verify.stderr
    assert not target.exists()  # nothing was written


def test_a_tampered_encrypted_backup_is_refused(
    sealed_backup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _, backup, _ = sealed_backup
    changed = bytearray(backup.read_bytes())
    changed[len(changed) // 2] ^= 0x40
    tampered = tmp_path / "tampered.backup"
    tampered.write_bytes(bytes(changed))
    target = tmp_path / "new"
    done = myomap("restore", str(tampered), data_dir=target, passphrase=SECRET)
    assert done.returncode == 2 and "or the file was changed" in done.stderr
    assert not target.exists()


def test_a_backup_with_an_empty_or_short_passphrase_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "x.backup"
    done = myomap("backup", str(out), "--passphrase-file", str(empty), data_dir=source)
    assert done.returncode == 2 and "is empty" in done.stderr
    done = myomap("backup", str(out), data_dir=source, passphrase="short")
    assert done.returncode == 2 and "too short" in done.stderr
    assert not out.exists()


def _postgres_url() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
    except OSError:
        return None
    return "postgres://postgres@127.0.0.1:5432/"


@pytest.mark.skipif(_postgres_url() is None, reason="no PostgreSQL at 127.0.0.1:5432")
def test_an_encrypted_postgresql_backup_restores(tmp_path: Path) -> None:
    import psycopg

    base = _postgres_url()
    names = [f"myomap_sealed_{uuid.uuid4().hex[:10]}_{which}" for which in ("src", "dst")]
    admin = psycopg.connect(f"{base}postgres", autocommit=True)
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        source, target = (f"{base}{name}" for name in names)
        folder = tmp_path / "pg"
        assert myomap("demo", data_dir=folder, url=source).returncode == 0
        backup = tmp_path / "pg.backup"
        made = myomap("backup", str(backup), data_dir=folder, url=source, passphrase=SECRET)
        assert made.returncode == 0, made.stderr
        assert backup.read_bytes().startswith(crypto.MAGIC)
        wrong = myomap("restore", str(backup), data_dir=tmp_path / "pg2", url=target)
        assert wrong.returncode == 2 and "is encrypted" in wrong.stderr
        done = myomap(
            "restore", str(backup), data_dir=tmp_path / "pg2", url=target, passphrase=SECRET
        )
        assert done.returncode == 0, done.stderr
        assert "Canonical dump matches the backup" in done.stdout
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
