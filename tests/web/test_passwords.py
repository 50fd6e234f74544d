"""Everyone's own password and session: change it signed in, reset a forgotten one by an
e-mailed link, password rules of our own on top of Django's, and the idle timeout beside
the 12-hour ceiling (API tokens are not sessions and are not affected).

The people are tests/personas.py's: alice (therapist at Lakeside), carol (its clinic admin)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from myomap.accounts.models import User
from myomap.api.models import ApiToken
from myomap.audit.models import AuditEvent
from myomap.cli.main import main
from personas import People

pytestmark = pytest.mark.django_db

CHANGE = reverse("password_change")
FORGOTTEN = reverse("password_reset")
NEW_PASSWORD = "quiet-river-stone-lantern"
LINK = re.compile(r"https?://[^\s\"<]+/accounts/reset/[^\s\"<]+/")


def signed_in(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def signs_in(username: str, password: str) -> bool:
    response = Browser().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def is_signed_out(browser: Browser) -> bool:
    answer = browser.get(reverse("clients:list"))
    return answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def mail_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.log")))


def events(summary: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(summary=summary))


def change(password: str, new: str) -> dict[str, str]:
    return {"old_password": password, "new_password1": new, "new_password2": new}


# ----------------------------------------------------------------------------- change
def test_a_therapist_changes_her_password_and_signs_in_with_the_new_one(
    alice: User, password: str
) -> None:
    browser = signed_in(alice)
    token, _ = ApiToken.issue(alice, "export")
    assert "Change your password" in browser.get(CHANGE).content.decode()

    done = browser.post(CHANGE, change(password, NEW_PASSWORD), follow=True)

    assert done.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Your password is changed" in done.content.decode()
    assert not signs_in("alice", password) and signs_in("alice", NEW_PASSWORD)
    assert not is_signed_out(browser)  # this session carries on
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(summary="changed own password")
    assert (event.actor, event.action, event.object_id) == (alice, "update", str(alice.pk))


def test_a_wrong_current_password_changes_nothing(alice: User, password: str) -> None:
    page = signed_in(alice).post(CHANGE, change("not-my-password", NEW_PASSWORD))

    assert page.status_code == 200
    assert "Your old password was entered incorrectly" in page.content.decode()
    assert signs_in("alice", password)
    assert not AuditEvent.objects.filter(summary="changed own password").exists()


def test_an_anonymous_visitor_is_asked_to_sign_in_before_changing_a_password(db: None) -> None:
    assert Browser().get(CHANGE)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["bob", "erin", "dan", "alice", "carol"])
def test_everyone_signed_in_may_change_their_password(people: People, who: str) -> None:
    page = signed_in(getattr(people, who)).get(CHANGE)
    assert page.status_code == 200 and 'name="old_password"' in page.content.decode()


# ----------------------------------------------------------------------------- forgotten
def test_a_forgotten_password_is_reset_by_an_emailed_link(
    alice: User, password: str, mail_folder: Path
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    assert "Forgotten your password?" in Browser().get(reverse("login")).content.decode()

    sent = Browser().post(FORGOTTEN, {"email": "alice@lakeside.example"}, follow=True)

    assert sent.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "Check your e-mail" in sent.content.decode()
    mail = "".join(p.read_text(encoding="utf-8") for p in mail_folder.glob("*.log"))
    assert "Subject: Set a new Myomap password" in mail and "(alice)" in mail
    [link] = LINK.findall(mail)
    browser = Browser()
    form = browser.get(link, follow=True)
    browser.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert not signs_in("alice", password) and signs_in("alice", NEW_PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    alice: User, mail_folder: Path
) -> None:
    sent = Browser().post(FORGOTTEN, {"email": "nobody@example.org"}, follow=True)

    assert "Check your e-mail" in sent.content.decode()
    assert list(mail_folder.glob("*.log")) == []


def test_the_sixth_quick_request_for_one_address_sends_no_mail_and_says_to_wait(
    alice: User, mail_folder: Path, password: str
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    for _ in range(5):
        sent = Browser().post(FORGOTTEN, {"email": "alice@lakeside.example"})
        assert sent.status_code == 302 and sent["Location"] == reverse("password_reset_done")
    mailed = len(LINK.findall(mail_text(mail_folder)))

    refused = Browser().post(FORGOTTEN, {"email": "Alice@Lakeside.example"})

    assert mailed == 5
    assert refused.status_code == 200
    assert "Too many requests for a password link" in refused.content.decode()
    assert "try again in 15 minutes" in refused.content.decode()
    assert len(LINK.findall(mail_text(mail_folder))) == 5
    assert len(events("asked for a password link for alice (forgotten password)")) == 5


def test_an_unknown_address_is_throttled_the_same_way(alice: User, mail_folder: Path) -> None:
    answers = [Browser().post(FORGOTTEN, {"email": "nobody@example.org"}) for _ in range(6)]

    assert [a.status_code for a in answers] == [302] * 5 + [200]
    assert "Too many requests for a password link" in answers[-1].content.decode()
    assert list(mail_folder.glob("*.log")) == []


def test_a_forgotten_password_request_is_audited_in_the_accounts_clinic_for_a_known_account_only(
    alice: User, mail_folder: Path, password: str
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")

    Browser().post(FORGOTTEN, {"email": "alice@lakeside.example"}, REMOTE_ADDR="203.0.113.9")
    Browser().post(FORGOTTEN, {"email": "nobody@example.org"})

    [event] = AuditEvent.objects.filter(summary__startswith="asked for a password link")
    assert (event.clinic_id, event.actor, event.object_id) == (alice.clinic_id, None, str(alice.pk))
    assert event.ip == "203.0.113.9" and event.actor_name == "anonymous"
    assert "X-Myomap-Clinic: " + str(alice.clinic_id) in mail_text(mail_folder)


def test_a_password_set_through_a_one_time_link_is_audited_in_the_clinics_log(
    alice: User, carol: User, mail_folder: Path, password: str
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    Browser().post(FORGOTTEN, {"email": "alice@lakeside.example"})
    [link] = LINK.findall(mail_text(mail_folder))
    browser = Browser()
    form = browser.get(link, follow=True)

    browser.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    [event] = events("set own password with a one-time link")
    assert (event.actor, event.clinic_id, event.object_id) == (
        alice,
        alice.clinic_id,
        str(alice.pk),
    )
    admin = Browser()
    admin.force_login(carol)
    assert (
        "set own password with a one-time link" in admin.get(reverse("audit:log")).content.decode()
    )


def test_sign_ins_that_succeed_and_fail_are_audited_with_the_username_and_address(
    alice: User, password: str
) -> None:
    Browser().post(
        reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR="198.51.100.7"
    )
    Browser().post(reverse("login"), {"username": "ghost", "password": "wrong"})
    Browser().post(
        reverse("login"), {"username": "alice", "password": password}, REMOTE_ADDR="198.51.100.7"
    )

    [failed] = events("failed sign-in as 'alice'")
    assert (failed.action, failed.actor, failed.clinic_id) == ("refused", None, alice.clinic_id)
    assert failed.ip == "198.51.100.7"
    [unknown] = events("failed sign-in as 'ghost'")
    assert unknown.clinic_id is None  # nobody's clinic: no clinic admin reads it
    [signed] = events("signed in")
    assert (signed.actor, signed.clinic_id, signed.ip) == (alice, alice.clinic_id, "198.51.100.7")


def test_the_idle_sign_out_is_audited(alice: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        browser = signed_in(alice)
        clock.shift(dt.timedelta(minutes=31))
        browser.get(reverse("clients:list"))

    [event] = events("signed out after 30 minutes without activity")
    assert (event.actor, event.clinic_id) == (alice, alice.clinic_id)


def test_myomap_admin_link_printing_a_link_is_audited_in_the_users_clinic(
    carol: User, capsys: pytest.CaptureFixture[str]
) -> None:
    umask = os.umask(0o022)  # the command tightens the umask: put it back after
    try:
        assert main(["admin", "link", "carol", "--url", "http://testserver/"]) == 0
    finally:
        os.umask(umask)
    assert "/accounts/reset/" in capsys.readouterr().out

    [event] = events("printed a one-time password link for carol (myomap admin link)")
    assert (event.via, event.actor, event.clinic_id) == ("cli", None, carol.clinic_id)


# ----------------------------------------------------------------------------- rules
@pytest.mark.parametrize(
    ("refused", "why"),
    [
        ("demo1234", 'too easy to guess (it contains "demo1234")'),
        ("Demo1234-but-longer", 'too easy to guess (it contains "demo1234")'),
        ("myomap", "the app's own name"),
        ("My-Omap is great 2026", "the app's own name"),
    ],
)
def test_the_password_rules_refuse_the_demo_password_and_the_apps_name(
    refused: str, why: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password(refused)
    assert any(why in message for message in caught.value.messages)


def test_a_good_password_passes_every_rule() -> None:
    validate_password(NEW_PASSWORD)


def test_the_change_form_says_why_a_password_is_refused(alice: User, password: str) -> None:
    page = signed_in(alice).post(CHANGE, change(password, "Myomap-Lakeside-2026"))

    assert page.status_code == 200
    assert "contains &quot;myomap&quot;, the app&#x27;s own name" in page.content.decode()
    assert signs_in("alice", password)


# ----------------------------------------------------------------------------- idle timeout
def test_a_session_idle_longer_than_30_minutes_is_signed_out_and_told_why(alice: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        browser = signed_in(alice)
        clock.shift(dt.timedelta(minutes=29))
        assert browser.get(reverse("clients:list")).status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 29 minutes since the last request
        assert browser.get(reverse("clients:list")).status_code == 200
        clock.shift(dt.timedelta(minutes=31))

        answer = browser.get(reverse("clients:list"), follow=True)

    assert answer.redirect_chain[-1][0].startswith(reverse("login"))
    assert "signed out after 30 minutes without activity" in answer.content.decode()
    assert is_signed_out(browser)


def test_steady_use_keeps_a_session_but_not_past_the_12_hour_ceiling(alice: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        browser = signed_in(alice)
        for _ in range(35):  # 11 h 40 min of a request every 20 minutes
            clock.shift(dt.timedelta(minutes=20))
            assert browser.get(reverse("clients:list")).status_code == 200
        clock.shift(dt.timedelta(minutes=21))

        assert is_signed_out(browser)


def test_the_idle_timeout_is_the_configured_one(alice: User, settings: Any) -> None:
    settings.IDLE_SECONDS = 120
    with time_machine.travel(timezone.now(), tick=False) as clock:
        browser = signed_in(alice)
        clock.shift(dt.timedelta(seconds=119))
        assert not is_signed_out(browser)
        clock.shift(dt.timedelta(seconds=121))
        assert is_signed_out(browser)


def test_an_api_token_is_not_affected_by_the_idle_timeout(alice: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _, key = ApiToken.issue(alice, "export")
        api = Browser(headers={"Authorization": f"Bearer {key}"})
        assert api.get("/api/me").status_code == 200
        clock.shift(dt.timedelta(hours=3))
        assert api.get("/api/me").status_code == 200
