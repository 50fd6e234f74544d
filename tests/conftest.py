"""Shared fixtures: the people of tests/personas.py, and the password they sign in with.

`people` creates both clinics and every persona: alice (therapist), frank (therapist),
carol (clinic admin), dan and erin (clients with their own logins, no client record yet),
all at Lakeside; bob (therapist at Hilltop). `alice`, `frank`, `carol`, `dan`, `erin` and
`bob` are those people. Their passwords are unusable (sign in with force_login), except
that a test which also asks for `password` (directly or through a fixture) gets each
persona it names by fixture with that password: hashing is slow, so only they get it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from myomap.accounts.models import User
from personas import People
from personas import people as create_people

PASSWORD = "correct-horse-battery-staple"

if "MYOMAP_DATA_DIR" not in os.environ:
    # pytest run directly (`make test` passes a temporary folder): never the user's own
    # data folder, whose queue and outbox a running Myomap would read.
    _data = Path(tempfile.mkdtemp(prefix="myomap-tests-"))
    atexit.register(shutil.rmtree, _data, True)
    os.environ["MYOMAP_DATA_DIR"] = str(_data)
    settings.DATA_DIR = _data
    settings.SECRET_KEY_FILE = _data / "secret_key"
    settings.JOBS_QUEUE_FILE = _data / "jobs.sqlite3"
    if getattr(settings, "EMAIL_FILE_PATH", None):
        settings.EMAIL_FILE_PATH = _data / "outbox"


@pytest.fixture
def password() -> str:
    """The password of every persona that signs in with one."""
    return PASSWORD


@pytest.fixture
def people(db: None) -> People:
    """Lakeside and Hilltop with every persona (unusable passwords)."""
    return create_people()


def _persona(people: People, username: str, request: pytest.FixtureRequest) -> User:
    user: User = getattr(people, username)
    if "password" in request.fixturenames:
        user.set_password(request.getfixturevalue("password"))
        user.save(update_fields=["password"])
    return user


@pytest.fixture
def alice(people: People, request: pytest.FixtureRequest) -> User:
    """Alice Moss, therapist at Lakeside."""
    return _persona(people, "alice", request)


@pytest.fixture
def frank(people: People, request: pytest.FixtureRequest) -> User:
    """Frank Orr, a second therapist at Lakeside."""
    return _persona(people, "frank", request)


@pytest.fixture
def carol(people: People, request: pytest.FixtureRequest) -> User:
    """Carol Hart, Lakeside's clinic admin."""
    return _persona(people, "carol", request)


@pytest.fixture
def dan(people: People, request: pytest.FixtureRequest) -> User:
    """Dan Marlowe, a Lakeside client with his own login."""
    return _persona(people, "dan", request)


@pytest.fixture
def erin(people: People, request: pytest.FixtureRequest) -> User:
    """Erin Ashdown, a Lakeside client with her own login."""
    return _persona(people, "erin", request)


@pytest.fixture
def bob(people: People, request: pytest.FixtureRequest) -> User:
    """Bob Tarn, therapist at Hilltop (another clinic)."""
    return _persona(people, "bob", request)


@pytest.fixture
def mail_folder(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Mail kept as files, as the embedded default does; the folder it lands in."""
    folder = tmp_path / "outbox"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = folder
    return folder
