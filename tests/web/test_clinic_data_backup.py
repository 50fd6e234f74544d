"""A backup from the clinic's Data page: carol, the clinic admin of an installation that is
her clinic alone, downloads the whole installation as `myomap backup` makes it (the
database, the secret key), optionally encrypted; the file opens and verifies with
`myomap restore`'s reader, holds her clinic's rows, is audited, and nothing of it stays in
the data folder. Where the installation holds another clinic too (Hilltop), the page makes
none and says why: a backup holds every clinic. On SQLite the test database lives in
memory, so the installation's database file is a copy of it made through the same
connection; on PostgreSQL the backup dumps the test database itself with pg_dump."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from myomap.audit.models import AuditEvent
from myomap.backup import archive, crypto, ops
from personas import People

pytestmark = pytest.mark.django_db
DATA = "/accounts/clinic/data/"
SECRET = "correct horse battery staple"


@pytest.fixture
def alone(people: People) -> People:
    """Lakeside as the installation's only clinic (Hilltop and bob gone)."""
    people.bob.delete()
    people.hilltop.delete()
    return people


@pytest.fixture
def installation(settings: Any, tmp_path: Path, monkeypatch: Any) -> Path:
    """A data folder with a secret key and, on SQLite, the test database as its file."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    (data_dir / ops.SECRET_KEY).write_text("a-secret-key", encoding="utf-8")
    settings.DATA_DIR = data_dir
    monkeypatch.setattr(crypto, "SCRYPT_N", 2**10)  # a cheaper key derivation
    return data_dir


def _copy_database(data_dir: Path) -> None:
    """The test database as the installation's file (SQLite only), with every row so far."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        # a dump, not the online backup: the test's own transaction is open on the source
        script = "\n".join(connection.connection.iterdump())
        target = sqlite3.connect(data_dir / ops.DATABASE_FILE)
        target.executescript(script)
        target.close()


def _downloaded(response: Any, tmp_path: Path) -> Path:
    assert response.status_code == 200, response.content[:500]
    name = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith("myomap-backup-") and name.endswith(".backup")
    assert response["Cache-Control"] == "no-store"
    path = tmp_path / name
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_the_admin_downloads_a_backup_that_restore_opens_audited_and_none_left_behind(
    alone: People, installation: Path, tmp_path: Path, client: Any
) -> None:
    client.force_login(alone.carol)
    page = client.get(DATA).content.decode()
    assert "A backup now" in page and "Download a backup" in page
    _copy_database(installation)

    path = _downloaded(client.post(DATA + "backup/", {"passphrase": "", "again": ""}), tmp_path)
    contents = archive.read(path, None)  # every member checked against the manifest
    assert not archive.is_encrypted(path)
    assert contents.members[ops.SECRET_KEY] == b"a-secret-key"
    assert contents.manifest["database_vendor"] == connection.vendor
    if connection.vendor == "sqlite":
        restored = tmp_path / "restored.sqlite3"
        restored.write_bytes(contents.members[ops.SQLITE_MEMBER])
        rows = sqlite3.connect(restored).execute("select name from accounts_clinic").fetchall()
        assert rows == [("Lakeside",)]
    # nothing of the backup stays in the data folder; the download is in the log
    assert sorted(p.name for p in installation.iterdir()) == sorted(
        [ops.SECRET_KEY, *([ops.DATABASE_FILE] if connection.vendor == "sqlite" else [])]
    )
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.actor == alone.carol and event.via == "web"
    assert event.summary.startswith("backup made: ") and event.summary.endswith(", downloaded")


def test_with_a_passphrase_the_backup_is_encrypted_and_opens_only_with_it(
    alone: People, installation: Path, tmp_path: Path, client: Any
) -> None:
    client.force_login(alone.carol)
    _copy_database(installation)
    answer = client.post(DATA + "backup/", {"passphrase": SECRET, "again": SECRET})
    path = _downloaded(answer, tmp_path)
    assert archive.is_encrypted(path)
    assert archive.read(path, SECRET).members[ops.SECRET_KEY] == b"a-secret-key"
    with pytest.raises(Exception, match="passphrase"):
        archive.read(path, "not the passphrase")


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"passphrase": "short", "again": "short"}, "the passphrase is too short"),
        ({"passphrase": SECRET, "again": SECRET + "!"}, "The two passphrases differ"),
    ],
    ids=["too short", "differ"],
)
def test_a_bad_passphrase_is_named_beside_its_field_and_no_backup_is_made(
    alone: People, installation: Path, client: Any, form: dict[str, str], said: str
) -> None:
    client.force_login(alone.carol)
    _copy_database(installation)
    events = AuditEvent.objects.filter(action="export").count()
    answer = client.post(DATA + "backup/", form)
    assert answer.status_code == 400
    assert said in answer.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == events
    assert not [p for p in installation.iterdir() if p.name.endswith(".backup")]


def test_an_installation_of_two_clinics_makes_no_backup_from_the_page(
    people: People, installation: Path, client: Any
) -> None:
    client.force_login(people.carol)
    page = client.get(DATA).content.decode()
    why = "this installation holds 2 clinics and a backup holds all of them"
    assert why.capitalize() in page.replace("&#x27;", "'")
    assert "Download a backup" not in page
    answer = client.post(DATA + "backup/", {"passphrase": "", "again": ""})
    assert answer.status_code == 302 and answer["Location"].endswith("#backup-now")
    said = client.get(answer["Location"]).content.decode().replace("&#x27;", "'")
    assert f"No backup was made: {why}" in said
    assert not AuditEvent.objects.filter(action="export").exists()
