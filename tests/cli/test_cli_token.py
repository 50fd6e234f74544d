"""`myomap token create | list | revoke`, run in-process through the CLI's `main`: the key
printed once with its expiry, the table and JSON of the tokens, revoking one or all of a
person's, each audited via "cli". The people are tests/personas.py's (alice, frank)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from myomap.accounts.models import User
from myomap.api.models import ApiToken, hash_key
from myomap.audit.models import AuditEvent
from myomap.cli.main import main

pytestmark = pytest.mark.django_db


def created(capsys: pytest.CaptureFixture[str], *args: str) -> ApiToken:
    assert main(["token", "create", *args]) == 0
    key = capsys.readouterr().out.strip()
    return ApiToken.objects.get(key_hash=hash_key(key))


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["token", "list", *args, "--json"]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


def test_create_prints_the_key_once_with_its_expiry(
    alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "alice", "--name", "backup", "--days", "7"]) == 0
    out = capsys.readouterr()
    token = ApiToken.objects.get(key_hash=hash_key(out.out.strip()))
    assert token.name == "backup" and token.user == alice
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=7)).date()
    assert f"expires {token.expires_at:%Y-%m-%d}" in out.err and "Shown once" in out.err
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="ApiToken")
    assert (event.actor, event.via, event.object_id) == (alice, "cli", str(token.pk))


def test_create_lasts_the_configured_days_by_default(
    alice: User, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        created(capsys, "alice").expires_at.date()
        == (timezone.now() + dt.timedelta(days=90)).date()
    )
    monkeypatch.setenv("MYOMAP_TOKEN_DAYS", "3")
    assert (
        created(capsys, "alice").expires_at.date() == (timezone.now() + dt.timedelta(days=3)).date()
    )


def test_create_refuses_bad_days_and_unknown_people(
    alice: User, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["token", "create", "alice", "--days", "0"]) == 2
    assert "a token lasts 1 to 365 days, not 0" in capsys.readouterr().err
    monkeypatch.setenv("MYOMAP_TOKEN_DAYS", "soon")
    assert main(["token", "create", "alice"]) == 2
    assert "MYOMAP_TOKEN_DAYS must be a whole number, not 'soon'" in capsys.readouterr().err
    assert main(["token", "create", "nobody"]) == 1
    assert "no active user 'nobody'" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


def test_list_shows_a_table_of_every_token(
    alice: User, frank: User, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = created(capsys, "alice", "--name", "laptop")
    franks = created(capsys, "frank")
    ApiToken.objects.filter(pk=franks.pk).update(revoked_at=timezone.now())

    assert main(["token", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "USER", "NAME", "CREATED", "LAST", "USED", "EXPIRES", "STATE"]
    rows = [line.split() for line in lines[2:]]
    assert [(r[0], r[1], r[2], r[-1]) for r in rows] == [
        (str(mine.pk), "alice", "laptop", "active"),
        (str(franks.pk), "frank", "-", "revoked"),
    ]
    assert rows[0][5] == "never"


def test_list_of_one_person_as_json(
    alice: User, frank: User, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = created(capsys, "alice", "--name", "laptop")
    created(capsys, "frank")
    [row] = listed(capsys, "alice")
    assert row["id"] == mine.pk and row["user"] == "alice" and row["name"] == "laptop"
    assert row["state"] == "active" and row["last_used"] is None and row["revoked"] is None
    assert row["expires"] == mine.expires_at.isoformat()
    assert main(["token", "list", "nobody"]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err


def test_revoke_stops_a_token_and_is_audited(
    alice: User, capsys: pytest.CaptureFixture[str]
) -> None:
    token = created(capsys, "alice", "--name", "laptop")
    assert main(["token", "revoke", str(token.pk)]) == 0
    assert f"Revoked token {token.pk} 'laptop' of alice." in capsys.readouterr().out
    [row] = listed(capsys)
    assert row["state"] == "revoked" and row["revoked"] is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVOKE)
    assert (event.actor, event.via, event.object_id) == (alice, "cli", str(token.pk))

    assert main(["token", "revoke", str(token.pk)]) == 1
    assert "already revoked" in capsys.readouterr().err
    assert main(["token", "revoke", "987654"]) == 1
    assert "no token 987654" in capsys.readouterr().err
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVOKE).count() == 1


def test_revoke_all_stops_every_token_of_one_person(
    alice: User, frank: User, capsys: pytest.CaptureFixture[str]
) -> None:
    created(capsys, "alice")
    created(capsys, "alice")
    created(capsys, "frank")
    assert main(["token", "revoke", "--all", "alice"]) == 0
    assert "Revoked 2 tokens of alice." in capsys.readouterr().out
    states = {(r["user"], r["state"]) for r in listed(capsys)}
    assert states == {("alice", "revoked"), ("frank", "active")}
    assert main(["token", "revoke", "--all", "alice"]) == 0
    assert "Revoked 0 tokens of alice." in capsys.readouterr().out


def test_revoke_needs_an_id_or_all(alice: User, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["token", "revoke"])
    assert exit_.value.code == 2
    assert "one of the arguments id --all is required" in capsys.readouterr().err
