"""Two-factor sign-in for staff: setting up an authenticator app (the code computed here
from the device's key with django-otp's TOTP helper), the code asked after the password,
wrong codes refused, counted by the login throttle and audited, recovery codes that work
once, removal, and the clinic's requirement that sends a therapist without an app to set
one up before anything else. Clients' own logins are never asked.

The people are tests/personas.py's: alice (therapist) and carol (clinic admin) at
Lakeside, dan (a Lakeside client with his own login)."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as Browser
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from myomap.accounts.models import Clinic, LoginFailure, User
from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.web.two_factor import actions

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MANAGE = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
CLINIC = "/accounts/two-factor/clinic/"
WRONG = "That code is not right."
THROTTLED = "Too many failed sign-ins. For your security, try again in "
STEP = dt.timedelta(seconds=30)  # one TOTP time step: the next code


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False) as t:
        yield t


def code_for(device: TOTPDevice) -> str:
    """What the person's app shows now: computed from the device's key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User, clock: Any) -> tuple[TOTPDevice, list[str]]:
    """`user` with a confirmed app and recovery codes; the clock moves to the next code."""
    ctx = Context(user=user, via="cli")
    pending = actions.start_enrolment(ctx)
    device, codes = actions.confirm_enrolment(ctx, code_for(pending))
    clock.shift(STEP)
    return device, codes


def signed_in_with_password(user: User, password: str) -> Browser:
    browser = Browser()
    response = browser.post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


def signed_in_verified(user: User, device: TOTPDevice) -> Browser:
    """A session past both steps (what `django_otp.login` stores after a right code)."""
    browser = Browser()
    browser.force_login(user)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return browser


def verified(browser: Browser) -> bool:
    return DEVICE_ID_SESSION_KEY in browser.session


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def text(response: Any) -> str:
    return response.content.decode()


# ----------------------------------------------------------------------------- set-up
def test_a_therapist_sets_up_an_app_with_its_code_and_gets_ten_recovery_codes_once(alice, clock):
    browser = Browser()
    browser.force_login(alice)
    assert "Set up two-factor sign-in" in text(browser.get(MANAGE))

    assert browser.post(f"{MANAGE}start/").status_code == 302
    pending = TOTPDevice.objects.get(user=alice)
    assert not pending.confirmed
    page = browser.get(MANAGE)
    html = text(page)
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, made here
    qr = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert qr and b"<svg" in base64.b64decode(qr.group(1))
    secret = base64.b32encode(pending.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert "otpauth://totp/Myomap%3Aalice?secret=" + secret in html
    assert page["Cache-Control"] == "no-store"

    response = browser.post(f"{MANAGE}confirm/", {"code": code_for(pending)})

    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.confirmed
    stored = sorted(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(stored) == 10
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", text(response))
    assert sorted(shown) == stored
    assert "Two-factor sign-in is on." in text(response)
    assert response["Cache-Control"] == "no-store"
    assert verified(browser), "the session that showed the code is verified"
    [event] = events(AuditEvent.Action.CREATE)
    assert (event.actor, event.object_type, event.summary, event.clinic) == (
        alice,
        "TOTPDevice",
        "two-factor sign-in set up",
        alice.clinic,
    )

    again = text(browser.get(MANAGE))
    assert "On for your account" in again and "<strong>10</strong> of 10" in again
    assert not any(code in again for code in stored), "recovery codes are shown only once"


def test_a_wrong_code_at_set_up_is_refused_audited_and_leaves_it_off(alice, clock):
    browser = Browser()
    browser.force_login(alice)
    browser.post(f"{MANAGE}start/")
    pending = TOTPDevice.objects.get(user=alice)
    wrong = f"{(int(code_for(pending)) + 1) % 1_000_000:06d}"

    response = browser.post(f"{MANAGE}confirm/", {"code": wrong})

    assert response.status_code == 400
    assert WRONG in text(response)
    assert not TOTPDevice.objects.get(user=alice).confirmed
    assert not StaticToken.objects.exists()
    [event] = events(AuditEvent.Action.REFUSED)
    assert (event.actor, event.summary) == (alice, "wrong code when setting up two-factor sign-in")
    assert "Turn on two-factor sign-in" in text(browser.get(MANAGE)), "the QR code is still there"


# ----------------------------------------------------------------------------- sign-in
def test_signing_in_asks_for_the_code_before_the_client_list(alice, password, clock):
    device, _ = enrol(alice, clock)
    browser = signed_in_with_password(alice, password)
    assert not verified(browser)

    response = browser.get("/clients/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fclients%2F"
    assert browser.get("/accounts/tokens/")["Location"].startswith(VERIFY)
    page = browser.get(response["Location"])
    assert "Enter your code" in text(page) and 'value="/clients/"' in text(page)

    done = browser.post(VERIFY, {"code": code_for(device), "next": "/clients/"})

    assert done.status_code == 302 and done["Location"] == "/clients/"
    assert verified(browser)
    assert "Clients" in text(browser.get("/clients/"))
    assert LoginFailure.objects.count() == 0, "both steps passed: the count is cleared"


def test_a_wrong_code_is_refused_counted_by_the_throttle_and_audited(alice, password, clock):
    device, _ = enrol(alice, clock)
    browser = signed_in_with_password(alice, password)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = browser.post(VERIFY, {"code": wrong})

    assert response.status_code == 400
    assert WRONG in text(response)
    assert not verified(browser)
    assert browser.get("/clients/")["Location"].startswith(VERIFY)
    assert LoginFailure.objects.filter(username="alice").count() == 2  # password, wrong code
    [event] = events(AuditEvent.Action.REFUSED)
    assert (event.actor, event.object_type, event.summary, event.path) == (
        alice,
        "TOTPDevice",
        "wrong code at sign-in",
        VERIFY,
    )

    for _ in range(3):  # with the password step, five failures: the throttle's allowance
        clock.shift(dt.timedelta(seconds=20))  # past django-otp's own back-off
        assert WRONG in text(browser.post(VERIFY, {"code": "000000"}))
    clock.shift(STEP)
    refused = browser.post(VERIFY, {"code": code_for(device)})
    assert THROTTLED in text(refused)
    assert not verified(browser)


def test_a_right_password_does_not_wipe_the_count_of_wrong_codes(alice, password, clock):
    enrol(alice, clock)
    browser = signed_in_with_password(alice, password)
    for _ in range(4):
        clock.shift(dt.timedelta(seconds=20))
        browser.post(VERIFY, {"code": "000000"})

    again = Browser().post(LOGIN, {"username": "alice", "password": password})

    assert again.status_code == 200 and THROTTLED in text(again)


def test_a_recovery_code_signs_in_once(alice, password, clock):
    _, codes = enrol(alice, clock)
    browser = signed_in_with_password(alice, password)

    # As people type it: upper case, a space in the middle.
    done = browser.post(VERIFY, {"code": f" {codes[0][:4].upper()} {codes[0][4:]} "})

    assert done.status_code == 302
    assert verified(browser)
    assert StaticToken.objects.filter(device__user=alice).count() == 9
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    [used] = events(AuditEvent.Action.UPDATE)
    assert (used.actor, used.object_type, used.summary) == (
        alice,
        "StaticDevice",
        "recovery code used (9 left)",
    )
    assert "<strong>9</strong> of 10" in text(browser.get(MANAGE))

    other = signed_in_with_password(alice, password)
    refused = other.post(VERIFY, {"code": codes[0]})
    assert refused.status_code == 400 and WRONG in text(refused)
    assert not verified(other)
    assert events(AuditEvent.Action.REFUSED)[-1].object_type == "StaticDevice"


def test_a_session_that_has_not_passed_the_code_gets_no_api_answer_but_a_token_does(
    alice, password, clock
):
    enrol(alice, clock)
    browser = signed_in_with_password(alice, password)
    _, key = ApiToken.issue(alice, "script")

    refused = browser.get("/api/me")
    assert refused.status_code == 401
    assert "enter your two-factor code" in refused.json()["detail"]
    assert Browser(headers={"Authorization": f"Bearer {key}"}).get("/api/me").json()[
        "username"
    ] == ("alice")
    # A refused token does not let the unfinished session stand in for it.
    bogus = browser.get("/api/me", headers={"Authorization": "Bearer not-a-key"})
    assert bogus.status_code == 401


def test_a_staff_member_without_an_app_is_not_asked(alice, password):
    browser = signed_in_with_password(alice, password)
    assert browser.get("/clients/").status_code == 200


# ----------------------------------------------------------------------------- removal
def test_removing_the_app_needs_a_code_and_is_audited(alice, clock):
    device, _ = enrol(alice, clock)
    browser = signed_in_verified(alice, device)

    refused = browser.post(f"{MANAGE}remove/", {"code": "123"})
    assert refused.status_code == 400 and WRONG in text(refused)
    assert TOTPDevice.objects.filter(user=alice).exists()

    clock.shift(STEP)
    done = browser.post(f"{MANAGE}remove/", {"code": code_for(device)}, follow=True)

    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()
    assert "Two-factor sign-in is off" in text(done)
    assert "Set up two-factor sign-in" in text(done)
    [removed] = events(AuditEvent.Action.DELETE)
    assert (removed.actor, removed.object_type, removed.summary) == (
        alice,
        "TOTPDevice",
        "two-factor sign-in removed",
    )


def test_new_recovery_codes_replace_the_old_ones(alice, clock):
    device, old = enrol(alice, clock)
    browser = signed_in_verified(alice, device)

    response = browser.post(f"{MANAGE}recovery-codes/")

    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", text(response))
    stored = sorted(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(shown) == 10 and sorted(shown) == stored
    assert not set(old) & set(stored)
    assert events(AuditEvent.Action.UPDATE)[-1].summary == "new recovery codes"


# ----------------------------------------------------------------------------- the clinic
def test_the_clinic_requirement_sends_an_unenrolled_therapist_to_set_up_first(alice, carol, clock):
    admin = signed_in_verified(carol, enrol(carol, clock)[0])

    saved = admin.post(CLINIC, {"required": "on"}, follow=True)

    assert Clinic.objects.get(pk=carol.clinic_id).two_factor_required
    assert "Two-factor sign-in is now required at your clinic." in text(saved)
    [changed] = [e for e in events(AuditEvent.Action.UPDATE) if e.object_type == "Clinic"]
    assert (changed.actor, changed.summary) == (carol, "two-factor sign-in required")

    browser = Browser()
    browser.force_login(alice)
    blocked = browser.get("/clients/")
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{MANAGE}?next=%2Fclients%2F"
    assert browser.get("/accounts/tokens/")["Location"].startswith(MANAGE)
    assert browser.get("/body-map/")["Location"].startswith(MANAGE)
    page = text(browser.get(MANAGE))
    assert "Your clinic requires two-factor sign-in: set it up to go on." in page

    browser.post(f"{MANAGE}start/")
    pending = TOTPDevice.objects.get(user=alice)
    browser.post(f"{MANAGE}confirm/", {"code": code_for(pending)})

    assert browser.get("/clients/").status_code == 200


def test_the_clinic_admin_sets_up_their_own_app_before_requiring_it(carol):
    admin = Browser()
    admin.force_login(carol)

    response = admin.post(CLINIC, {"required": "on"})

    assert response.status_code == 400
    assert "Set up two-factor sign-in for yourself first" in text(response)
    assert not Clinic.objects.get(pk=carol.clinic_id).two_factor_required


def test_only_the_clinic_admin_opens_the_clinic_setting(alice, dan):
    for person in (alice, dan):
        browser = Browser()
        browser.force_login(person)
        assert browser.get(CLINIC).status_code == 403


def test_a_clients_own_login_is_never_asked(dan, password, clock):
    Clinic.objects.filter(pk=dan.clinic_id).update(two_factor_required=True)
    browser = signed_in_with_password(dan, password)

    assert browser.get("/body-map/").status_code == 200
    assert browser.get("/api/me").json()["username"] == "dan"
    assert browser.get(MANAGE).status_code == 403, "setting up an app is for staff"
    assert AuditEvent.objects.filter(actor=dan).count() == 0
