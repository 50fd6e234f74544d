"""Two-factor sign-in for staff: setting up an authenticator app (the code computed here
from the device's key with django-otp's TOTP helper), the code asked after the password,
wrong codes refused, counted by the login throttle and audited, recovery codes that work
once, removal, and the clinic's requirement that sends a therapist without an app to set
one up before anything else (revoking the API tokens of those without one). The Django
admin asks a superuser for the code too and shows no device. A clinic admin removes a
member's two-factor sign-in (a lost phone). Clients' own logins are never asked.

The people are tests/personas.py's: alice and frank (therapists) and carol (clinic admin)
at Lakeside, dan (a Lakeside client with his own login), bob (therapist at Hilltop); root
is a superuser of the site, of no clinic."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client as Browser
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from myomap.accounts.models import Clinic, LoginFailure, User
from myomap.api import tokens
from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.web.two_factor import actions

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MANAGE = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
CLINIC = "/accounts/two-factor/clinic/"
MEMBERS = "/accounts/clinic/"
ADMIN = "/admin/"
WRONG = "That code is not right."
THROTTLED = "Too many failed sign-ins. For your security, try again in "
STEP = dt.timedelta(seconds=30)  # one TOTP time step: the next code
DEVICES = ("TOTPDevice", "StaticDevice")
APOSTROPHE = "\u2019"  # the pages' typographic one


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def root(password: str) -> User:
    """A superuser made with `myomap manage createsuperuser`: no clinic."""
    return User.objects.create_superuser("root", "root@example.org", password)


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


def remove_url(member: User) -> str:
    return f"{MANAGE}members/{member.pk}/remove/"


def token_for(user: User) -> str:
    _, key = tokens.issue(Context(user=user, via="cli"), user, "script", 30)
    return key


def api_me(key: str) -> int:
    return int(Browser(headers={"Authorization": f"Bearer {key}"}).get("/api/me").status_code)


def row_of(page: str, member: User) -> str:
    """The Clinic page's table row of `member`."""
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    [row] = [r for r in rows if f'data-label="Username">{member.username}' in r]
    return row


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
    [used] = [e for e in events(AuditEvent.Action.UPDATE) if e.object_type == "StaticDevice"]
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
    assert not AuditEvent.objects.filter(actor=dan, object_type__in=DEVICES).exists()


def test_after_one_wrong_code_the_page_asks_to_wait_a_few_seconds(alice, password, clock):
    device, _ = enrol(alice, clock)
    browser = signed_in_with_password(alice, password)
    browser.post(VERIFY, {"code": f"{(int(code_for(device)) + 1) % 1_000_000:06d}"})

    again = text(browser.post(VERIFY, {"code": code_for(device)}))  # at once: django-otp waits

    assert "Wait a few seconds before trying again: each wrong code adds a short wait." in again
    assert "Too many" not in again
    assert not verified(browser)


# ----------------------------------------------------------------------------- the Django admin
def test_a_superuser_with_an_app_is_asked_for_the_code_before_the_django_admin(
    root, password, clock
):
    setting_up = Browser()
    setting_up.force_login(root)
    assert setting_up.post(f"{MANAGE}start/").status_code == 302  # no clinic, still their own
    pending = TOTPDevice.objects.get(user=root)
    setting_up.post(f"{MANAGE}confirm/", {"code": code_for(pending)})
    assert TOTPDevice.objects.get(user=root).confirmed
    clock.shift(STEP)

    browser = Browser()
    signed_in = browser.post(
        f"{ADMIN}login/", {"username": "root", "password": password, "next": ADMIN}
    )
    assert signed_in.status_code == 302
    asked = browser.get(ADMIN)
    assert asked.status_code == 302
    assert asked["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert browser.get(f"{ADMIN}accounts/user/")["Location"].startswith(VERIFY)
    assert not verified(browser)

    done = browser.post(VERIFY, {"code": code_for(pending), "next": ADMIN})

    assert done["Location"] == ADMIN
    assert verified(browser)
    assert "Site administration" in text(browser.get(ADMIN))


def test_a_superuser_of_a_clinic_that_requires_it_is_sent_to_set_up_before_the_admin(root, carol):
    Clinic.objects.filter(pk=carol.clinic_id).update(two_factor_required=True)
    User.objects.filter(pk=root.pk).update(clinic=carol.clinic_id)
    browser = Browser()
    browser.force_login(root)

    assert browser.get(ADMIN)["Location"] == f"{MANAGE}?next=%2Fadmin%2F"


def test_the_django_admin_shows_no_device_and_hides_keys_anyway(root, alice, clock):
    device, _ = enrol(root, clock)
    enrol(alice, clock)
    browser = signed_in_verified(root, device)

    index = text(browser.get(ADMIN))
    assert "Site administration" in index
    assert "TOTP" not in index and "static device" not in index.lower()
    for path in (
        "otp_totp/totpdevice/",
        f"otp_totp/totpdevice/{device.pk}/change/",
        f"otp_totp/totpdevice/{device.pk}/config/",
        "otp_static/staticdevice/",
        "otp_static/statictoken/",
    ):
        assert browser.get(f"{ADMIN}{path}").status_code == 404, path
    assert settings.OTP_ADMIN_HIDE_SENSITIVE_DATA is True


# ----------------------------------------------------------------------------- a member's removal
def test_the_clinic_admin_removes_a_members_two_factor_sign_in_after_a_lost_phone(
    alice, carol, password, clock
):
    device, _ = enrol(alice, clock)
    phone = signed_in_verified(alice, device)  # the lost phone, still signed in
    key = token_for(alice)
    admin = signed_in_verified(carol, enrol(carol, clock)[0])
    page = text(admin.get(MEMBERS))
    assert '<span class="badge">on</span>' in row_of(page, alice)
    assert f'action="{remove_url(alice)}"' in row_of(page, alice)
    assert f'data-confirm="Remove alice{APOSTROPHE}s two-factor sign-in' in row_of(page, alice)

    done = admin.post(remove_url(alice), follow=True)

    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()
    assert ApiToken.objects.get(user=alice).revoked_at is not None
    shown = text(done)
    assert "Two-factor sign-in is off for alice: they are signed out everywhere" in shown
    assert "1 API token of alice revoked." in shown
    assert '<span class="muted">off</span>' in row_of(shown, alice)
    assert f'action="{remove_url(alice)}"' not in shown
    [removed] = events(AuditEvent.Action.DELETE)
    assert (removed.actor, removed.object_type, removed.clinic, removed.summary) == (
        carol,
        "TOTPDevice",
        carol.clinic,
        "two-factor sign-in of alice removed: 1 session ended, 1 API token revoked",
    )
    [revoked] = events(AuditEvent.Action.REVOKE)
    assert revoked.actor == carol and "removed by the clinic admin" in revoked.summary

    assert phone.get("/clients/")["Location"].startswith(LOGIN), "signed out everywhere"
    assert api_me(key) == 401
    assert verified(admin) and admin.get(MEMBERS).status_code == 200, "carol stays signed in"
    again = signed_in_with_password(alice, password)
    assert again.get("/clients/").status_code == 200, "the password alone signs in again"


def test_a_removed_member_of_a_clinic_that_requires_it_sets_up_a_new_app(alice, carol, clock):
    enrol(alice, clock)
    admin = signed_in_verified(carol, enrol(carol, clock)[0])
    admin.post(CLINIC, {"required": "on"})

    asked = row_of(text(admin.get(MEMBERS)), alice)
    assert "with their password alone until they set up a new app." in asked

    done = admin.post(remove_url(alice), follow=True)

    assert '<span class="badge warn">off</span>' in row_of(text(done), alice)
    browser = Browser()
    browser.force_login(alice)
    assert browser.get("/clients/")["Location"] == f"{MANAGE}?next=%2Fclients%2F"


def test_another_clinics_member_is_a_404_and_keeps_their_app(bob, carol, clock):
    enrol(bob, clock)
    admin = signed_in_verified(carol, enrol(carol, clock)[0])

    assert admin.post(remove_url(bob)).status_code == 404
    assert TOTPDevice.objects.filter(user=bob, confirmed=True).exists()
    assert not events(AuditEvent.Action.DELETE)


def test_the_clinic_admin_turns_off_their_own_only_on_their_own_page(carol, clock):
    device, _ = enrol(carol, clock)
    admin = signed_in_verified(carol, device)
    assert f'action="{remove_url(carol)}"' not in text(admin.get(MEMBERS))

    refused = admin.post(remove_url(carol), follow=True)

    assert "Turn off your own two-factor sign-in on your Two-factor sign-in page." in text(refused)
    assert TOTPDevice.objects.filter(user=carol, confirmed=True).exists()
    assert verified(admin)


def test_only_the_clinic_admin_removes_a_members_two_factor(alice, frank, clock):
    enrol(frank, clock)
    device, _ = enrol(alice, clock)
    therapist = signed_in_verified(alice, device)

    assert therapist.post(remove_url(frank)).status_code == 403
    assert TOTPDevice.objects.filter(user=frank).exists()


def test_removing_what_a_member_does_not_have_says_so(alice, carol, clock):
    admin = signed_in_verified(carol, enrol(carol, clock)[0])
    assert '<span class="muted">off</span>' in row_of(text(admin.get(MEMBERS)), alice)

    refused = admin.post(remove_url(alice), follow=True)

    assert "alice has no two-factor sign-in to remove." in text(refused)
    assert not events(AuditEvent.Action.DELETE)


# ----------------------------------------------------------------------------- the requirement
def test_requiring_two_factor_revokes_the_api_tokens_of_staff_without_an_app(
    alice, frank, carol, clock
):
    enrol(alice, clock)
    alices, franks = token_for(alice), token_for(frank)
    admin = signed_in_verified(carol, enrol(carol, clock)[0])
    before = text(admin.get(CLINIC))
    assert "Therapists and admins without two-factor sign-in: frank (1 API token)." in before
    assert "revokes the API tokens of everyone who has not set it up" in before

    saved = text(admin.post(CLINIC, {"required": "on"}, follow=True))

    assert "now required at your clinic. 1 API token of frank revoked." in saved
    assert ApiToken.objects.get(user=frank).revoked_at is not None
    assert ApiToken.objects.get(user=alice).revoked_at is None
    assert api_me(franks) == 401 and api_me(alices) == 200
    [revoked] = events(AuditEvent.Action.REVOKE)
    assert revoked.actor == carol
    assert revoked.summary.endswith("of frank: two-factor sign-in is now required and not set up")
    assert "revokes the API tokens" not in saved, "said only while it is not required"


def test_the_clinic_setting_says_where_the_admin_sets_up_their_own_app_first(carol):
    admin = Browser()
    admin.force_login(carol)

    page = text(admin.post(CLINIC, {"required": "on"}))

    own = page.index(f'on <a href="{MANAGE}">your Two-factor sign-in page</a>, then require it')
    assert own < page.index('name="required"'), "the way to one's own set-up is above the setting"
    assert "for yourself first, on your own Two-factor sign-in page (linked above)" in page
    assert "(above)" not in page.replace("(linked above)", "")


def test_the_clinic_page_links_to_the_clinic_wide_two_factor_setting(carol, dan):
    admin = Browser()
    admin.force_login(carol)

    page = text(admin.get(MEMBERS))

    assert f'<a href="{CLINIC}">the clinic{APOSTROPHE}s two-factor setting</a>' in page
    assert "Two-factor sign-in is not required at the clinic" in page
    assert "not asked" in row_of(page, dan)
