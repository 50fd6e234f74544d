"""API tokens: they expire and can be revoked (then they open nothing and change nothing),
a password change or a deactivation revokes them, their creation, revocation and a day's
first use are audited, and the tokens page shows each person their own (a clinic admin
their clinic's), creates one with its key shown once and revokes.

The people are tests/personas.py's: alice and frank (therapists at Lakeside), carol
(Lakeside's clinic admin), bob (therapist at Hilltop, another clinic)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.hashers import make_password
from django.test import Client as Browser
from django.utils import timezone

from myomap.accounts.models import User
from myomap.api import tokens
from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.records.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db

NEW_CLIENT = {"given_name": "Ana", "family_name": "Ruiz", "date_of_birth": "1990-01-02"}
NEW_CLIENT |= {"treatment_consent": True, "data_consent": True}


def bearer(key: str) -> Browser:
    return Browser(headers={"Authorization": f"Bearer {key}"})


def signed_in(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def issued(user: User, name: str = "script", days: int = 90) -> tuple[ApiToken, str]:
    return tokens.issue(Context(user=user, via="cli"), user, name, days)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type="ApiToken").order_by("pk"))


def state_of(token: ApiToken) -> str:
    token.refresh_from_db()
    return token.state(timezone.now())


# ----------------------------------------------------------------------------- refused keys
def test_an_expired_token_gets_401_saying_so_and_changes_nothing(alice: User) -> None:
    token, key = ApiToken.issue(alice, "old", days=1, now=timezone.now() - dt.timedelta(days=2))
    before = AuditEvent.objects.count()

    read = bearer(key).get("/api/me")
    write = bearer(key).post("/api/clients", NEW_CLIENT, content_type="application/json")

    assert read.status_code == 401 and write.status_code == 401
    expired_on = f"{token.expires_at:%Y-%m-%d}"
    assert read.json()["detail"].startswith(f"this token expired on {expired_on}")
    assert "create a new one" in write.json()["detail"]
    token.refresh_from_db()
    assert token.last_used_at is None
    assert not Client.objects.exists() and AuditEvent.objects.count() == before


def test_a_revoked_token_gets_401_saying_so_and_changes_nothing(alice: User) -> None:
    token, key = issued(alice)
    assert bearer(key).get("/api/me").status_code == 200
    token.refresh_from_db()
    used = token.last_used_at
    tokens.revoke(Context(user=alice, via="cli"), token)
    before = AuditEvent.objects.count()

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        read = bearer(key).get("/api/clients")
        write = bearer(key).post("/api/clients", NEW_CLIENT, content_type="application/json")

    assert read.status_code == 401 and write.status_code == 401
    assert read.json()["detail"].startswith("this token was revoked on ")
    token.refresh_from_db()
    assert token.last_used_at == used
    assert not Client.objects.exists() and AuditEvent.objects.count() == before


def test_a_working_token_still_opens_the_api(alice: User) -> None:
    _, key = issued(alice)
    response = bearer(key).post("/api/clients", NEW_CLIENT, content_type="application/json")
    assert response.status_code == 201
    assert Client.objects.get().family_name == "Ruiz"


# ----------------------------------------------------------------------------- the actions
def test_issuing_a_token_is_audited_and_sets_its_expiry(alice: User) -> None:
    now = timezone.now()
    token, key = tokens.issue(Context(user=alice, via="web", now=now), alice, "laptop", 30)
    assert token.expires_at == now + dt.timedelta(days=30) and token.name == "laptop"
    assert key.startswith("mm_") and key not in token.key_hash
    [event] = events(AuditEvent.Action.CREATE)
    assert (event.actor, event.object_id, event.clinic) == (alice, str(token.pk), alice.clinic)
    assert "'laptop' for alice" in event.summary and f"{token.expires_at:%Y-%m-%d}" in event.summary


def test_a_token_lasts_one_to_365_days(alice: User) -> None:
    for days in (0, 366):
        with pytest.raises(Invalid, match=f"1 to 365 days, not {days}"):
            issued(alice, days=days)
    assert not ApiToken.objects.exists() and not AuditEvent.objects.exists()


def test_revoking_is_audited_and_revoking_twice_is_a_conflict(alice: User, carol: User) -> None:
    token, _ = issued(alice)
    tokens.revoke(Context(user=carol, via="web"), token)
    assert state_of(token) == "revoked"
    [event] = events(AuditEvent.Action.REVOKE)
    assert (event.actor, event.object_id, event.clinic) == (carol, str(token.pk), alice.clinic)
    assert "of alice" in event.summary
    with pytest.raises(Conflict, match="already revoked"):
        tokens.revoke(Context(user=carol, via="web"), token)
    assert len(events(AuditEvent.Action.REVOKE)) == 1


def test_revoking_all_of_a_persons_tokens_leaves_others_alone(alice: User, frank: User) -> None:
    first, _ = issued(alice, "one")
    second, _ = issued(alice, "two")
    expired, _ = ApiToken.issue(alice, "old", days=1, now=timezone.now() - dt.timedelta(days=3))
    franks, _ = issued(frank)
    revoked = tokens.revoke_all_for(Context(user=alice, via="cli"), alice, "testing")
    assert {t.pk for t in revoked} == {first.pk, second.pk}
    assert [state_of(t) for t in (first, second, expired, franks)] == [
        "revoked",
        "revoked",
        "expired",
        "active",
    ]
    assert [e.object_id for e in events(AuditEvent.Action.REVOKE)] == [
        str(first.pk),
        str(second.pk),
    ]


def test_a_tokens_use_is_audited_once_a_day_after_its_first_day(alice: User) -> None:
    # Made at 06:00 on a day of the clinic's time zone, so the uses 25 to 27 hours later
    # all fall on the next day, whatever time the test runs at.
    today = timezone.localdate()
    created = timezone.make_aware(dt.datetime.combine(today, dt.time(6)))
    with time_machine.travel(created):
        token, key = tokens.issue(Context(user=alice, via="cli"), alice, "cron", 90)
        assert bearer(key).get("/api/me").status_code == 200
    assert events(AuditEvent.Action.USE) == []  # its first day: the creation is in the log

    for hours in (25, 26, 27):  # the next day: three uses, an hour apart
        with time_machine.travel(created + dt.timedelta(hours=hours)):
            assert bearer(key).get("/api/me").status_code == 200
    [used] = events(AuditEvent.Action.USE)
    assert (used.actor, used.via, used.path, used.object_id) == (
        alice,
        "api",
        "/api/me",
        str(token.pk),
    )
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > created + dt.timedelta(hours=26)

    with time_machine.travel(created + dt.timedelta(days=2, hours=1)):
        assert bearer(key).get("/api/me").status_code == 200
    assert len(events(AuditEvent.Action.USE)) == 2


# ----------------------------------------------------------------------------- revoked by changes
def test_a_password_change_revokes_the_persons_tokens(alice: User, frank: User) -> None:
    token, key = issued(alice)
    franks, _ = issued(frank)
    alice.set_password("a-new-long-passphrase")
    alice.save()
    assert bearer(key).get("/api/me").status_code == 401
    assert state_of(token) == "revoked" and state_of(franks) == "active"
    [event] = events(AuditEvent.Action.REVOKE)
    assert event.via == "system" and event.summary.endswith(": password changed")


def test_a_password_reset_revokes_the_persons_tokens(alice: User) -> None:
    token, _ = issued(alice)
    new = "another-long-passphrase-42"
    form = SetPasswordForm(alice, {"new_password1": new, "new_password2": new})
    assert form.is_valid(), form.errors
    form.save()
    assert state_of(token) == "revoked"


def test_deactivating_a_person_revokes_their_tokens(alice: User) -> None:
    token, key = issued(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert state_of(token) == "revoked"
    [event] = events(AuditEvent.Action.REVOKE)
    assert event.summary.endswith(": account deactivated")
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    assert bearer(key).get("/api/me").status_code == 401  # coming back does not revive it


def test_other_changes_and_signing_in_keep_the_tokens(alice: User, password: str) -> None:
    # Stored with the older hasher: signing in re-encodes the same password (Argon2).
    User.objects.filter(pk=alice.pk).update(
        password=make_password(password, hasher="pbkdf2_sha256")
    )
    token, _ = issued(alice)
    alice.refresh_from_db()
    alice.first_name = "Alicia"
    alice.save()
    assert Browser().login(username="alice", password=password)
    alice.refresh_from_db()
    assert alice.password.startswith("argon2")
    assert state_of(token) == "active" and events(AuditEvent.Action.REVOKE) == []


# ----------------------------------------------------------------------------- the page
def test_the_page_asks_a_stranger_to_sign_in() -> None:
    response = Browser().get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_lists_only_the_persons_own_tokens(alice: User, frank: User) -> None:
    issued(alice, "alices-export")
    issued(frank, "franks-backup")
    page = signed_in(alice).get("/accounts/tokens/").content.decode()
    assert "alices-export" in page and "franks-backup" not in page
    assert "Your tokens" in page and 'href="/accounts/tokens/"' in page  # linked from the top bar


def test_a_clinic_admin_sees_the_clinics_tokens_and_not_another_clinics(
    alice: User, frank: User, carol: User, bob: User
) -> None:
    issued(alice, "alices-export")
    issued(frank, "franks-backup")
    issued(bob, "bobs-sync")
    page = signed_in(carol).get("/accounts/tokens/").content.decode()
    assert "alices-export" in page and "franks-backup" in page and "Alice Moss" in page
    assert "bobs-sync" not in page


def test_creating_a_token_shows_its_key_once_and_it_works(alice: User) -> None:
    browser = signed_in(alice)
    response = browser.post("/accounts/tokens/new/", {"name": "export script", "days": "30"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = re.search(
        r'id="new-key" type="text" value="(mm_[^"]+)"', response.content.decode()
    ).group(1)

    token = ApiToken.objects.get(user=alice)
    assert token.name == "export script"
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    assert bearer(key).get("/api/me").json()["username"] == "alice"
    [event] = events(AuditEvent.Action.CREATE)
    assert event.actor == alice and event.via == "web" and event.path == "/accounts/tokens/new/"

    again = browser.get("/accounts/tokens/").content.decode()
    assert "export script" in again and key not in again


def test_a_bad_new_token_is_refused_naming_the_field(alice: User) -> None:
    response = signed_in(alice).post("/accounts/tokens/new/", {"name": "x", "days": "0"})
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()
    assert not ApiToken.objects.exists() and not AuditEvent.objects.exists()


def test_the_new_token_form_offers_the_configured_days(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MYOMAP_TOKEN_DAYS", "14")
    page = signed_in(alice).get("/accounts/tokens/").content.decode()
    assert re.search(r'name="days" value="14"', page)


def test_a_person_revokes_their_own_token_from_the_page(alice: User) -> None:
    token, key = issued(alice, "laptop")
    response = signed_in(alice).post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Token {token.pk} &#x27;laptop&#x27; of alice revoked." in page
    assert "revoked " in page and f'action="/accounts/tokens/{token.pk}/revoke/"' not in page
    assert state_of(token) == "revoked"
    assert bearer(key).get("/api/me").status_code == 401
    [event] = events(AuditEvent.Action.REVOKE)
    assert event.actor == alice and event.via == "web"


def test_a_clinic_admin_revokes_a_clinic_members_token(frank: User, carol: User) -> None:
    token, _ = issued(frank)
    response = signed_in(carol).post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "of frank revoked." in response.content.decode()
    assert state_of(token) == "revoked"
    [event] = events(AuditEvent.Action.REVOKE)
    assert event.actor == carol


@pytest.mark.parametrize("intruder", ["frank", "bob", "carol_of_hilltop"])
def test_someone_elses_token_is_404_and_stays_active(
    alice: User, frank: User, bob: User, intruder: str
) -> None:
    token, _ = issued(alice)
    if intruder == "carol_of_hilltop":  # a clinic admin of another clinic
        person = User.objects.create(username="hana", role=User.Role.ADMIN, clinic=bob.clinic)
    else:
        person = {"frank": frank, "bob": bob}[intruder]
    before = AuditEvent.objects.count()
    response = signed_in(person).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert state_of(token) == "active" and AuditEvent.objects.count() == before
    missing = signed_in(person).post("/accounts/tokens/987654/revoke/")
    assert missing.status_code == 404


def test_revoking_a_revoked_token_says_so(alice: User) -> None:
    token, _ = issued(alice)
    browser = signed_in(alice)
    browser.post(f"/accounts/tokens/{token.pk}/revoke/")
    response = browser.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "was already revoked on" in response.content.decode()
    assert len(events(AuditEvent.Action.REVOKE)) == 1
