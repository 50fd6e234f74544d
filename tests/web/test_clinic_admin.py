"""Clinic administration in the app: the clinic admin invites therapists and admins by a
one-time link, deactivates and reactivates accounts, resets a member's sign-in, and reads
the outbox (the mail the embedded default keeps in the data folder). Every change is
audited; nobody but the clinic's own admin may use these pages.

The people are tests/personas.py's: carol (Lakeside's clinic admin), alice and frank
(therapists at Lakeside), dan (a Lakeside client with a login), bob (therapist at Hilltop)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage, send_mail
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from myomap.accounts import outbox
from myomap.accounts.models import User
from myomap.api.models import ApiToken
from myomap.audit.models import AuditEvent
from personas import People, member

pytestmark = pytest.mark.django_db

MEMBERS = reverse("clinic:members")
INVITE = reverse("clinic:invite")
OUTBOX = reverse("outbox")
HANA = {
    "username": "hana",
    "first_name": "Hana",
    "last_name": "Lee",
    "email": "hana@lakeside.example",
    "role": "therapist",
}
NEW_PASSWORD = "quiet-river-stone-lantern"
LINK = re.compile(r"https?://[^\s\"<]+/accounts/reset/[^\s\"<]+/")


def signed_in(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def mail_in(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.log")))


def kept_mail(subject: str, body: str, to: str, clinic_id: int | None) -> None:
    """A message as Myomap sends it: stamped with the clinic it is sent for."""
    EmailMessage(subject, body, None, [to], headers=outbox.stamp(clinic_id)).send()


def link_in(text: str) -> str:
    found = LINK.findall(text)
    assert len(found) == 1, text
    return str(found[0])


def set_password_with(link: str, password: str = NEW_PASSWORD) -> Browser:
    browser = Browser()
    form = browser.get(link, follow=True)
    assert "Set your password" in form.content.decode()
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )
    assert "Your password is set" in done.content.decode()
    return browser


def signs_in(username: str, password: str) -> bool:
    response = Browser().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def events(summary: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="User", summary=summary))


# ----------------------------------------------------------------------------- invitations
def test_an_invited_therapist_sets_her_password_with_the_mailed_link_and_signs_in(
    carol: User, mail_folder: Path
) -> None:
    page = signed_in(carol).post(INVITE, HANA)

    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    hana = User.objects.get(username="hana")
    assert (hana.clinic_id, hana.role, hana.is_active) == (carol.clinic_id, "therapist", True)
    assert not hana.has_usable_password()
    [event] = events("invited hana as Therapist")
    assert (event.action, event.actor, event.clinic_id) == ("create", carol, carol.clinic_id)
    html = page.content.decode()
    assert "hana is invited" in html and "e-mailed to hana@lakeside.example" in html
    mail = mail_in(mail_folder)
    assert "To: hana@lakeside.example" in mail and "Your username is hana" in mail
    link = link_in(mail)
    assert link in html  # the same link, shown once on screen

    set_password_with(link)
    browser = Browser()
    signed = browser.post(
        reverse("login"), {"username": "hana", "password": NEW_PASSWORD}, follow=True
    )
    assert "Hana Lee" in signed.content.decode()
    again = Browser().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_clinic_admin_invites_another_admin_who_then_sees_the_clinic_page(
    carol: User, mail_folder: Path
) -> None:
    signed_in(carol).post(
        INVITE, HANA | {"username": "ines", "role": "admin", "email": "i@x.example"}
    )

    ines = User.objects.get(username="ines")
    assert ines.is_clinic_admin
    page = signed_in(ines).get(MEMBERS)
    assert page.status_code == 200 and "Carol Hart" in page.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": "alice"}, "&#x27;alice&#x27; is taken"),
        ({"username": "ALICE"}, "is taken"),
        ({"role": "client"}, "Select a valid choice"),
        ({"email": ""}, "This field is required"),
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"username": "two words"}, "Enter a valid username"),
    ],
)
def test_a_bad_invitation_names_what_is_wrong_and_creates_nobody(
    carol: User, alice: User, mail_folder: Path, change: dict[str, str], message: str
) -> None:
    before = User.objects.count()

    page = signed_in(carol).post(INVITE, HANA | change)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="create", object_type="User").exists()
    assert mail_in(mail_folder) == ""


def test_an_address_an_active_account_already_uses_is_refused(
    carol: User, alice: User, mail_folder: Path
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")

    page = signed_in(carol).post(INVITE, HANA | {"email": "Alice@Lakeside.example"})

    assert page.status_code == 400
    assert "an active account already uses" in page.content.decode()
    assert not User.objects.filter(username="hana").exists()


# ----------------------------------------------------------------------------- deactivation
def test_a_deactivated_therapist_cannot_sign_in_and_her_api_tokens_are_revoked(
    carol: User, alice: User, password: str
) -> None:
    token, key = ApiToken.issue(alice, "export")
    her_session = signed_in(alice)

    page = signed_in(carol).post(reverse("clinic:deactivate", args=[alice.pk]), follow=True)

    alice.refresh_from_db()
    token.refresh_from_db()
    assert not alice.is_active
    assert token.revoked_at is not None
    [event] = events("deactivated alice")
    assert (event.action, event.actor) == ("update", carol)
    html = page.content.decode()
    assert "alice is deactivated and cannot sign in." in html
    assert "deactivated</span>" in html and "Reactivate" in html
    assert not signs_in("alice", password)
    api = Browser(headers={"Authorization": f"Bearer {key}"}).get("/api/me")
    assert api.status_code == 401
    assert her_session.get(reverse("clients:list"))["Location"].startswith(reverse("login"))


def test_deactivating_a_therapist_ends_her_sessions_and_reactivating_brings_none_back(
    carol: User, alice: User
) -> None:
    her_browser = signed_in(alice)
    assert her_browser.get(reverse("clients:list")).status_code == 200
    admin = signed_in(carol)

    admin.post(reverse("clinic:deactivate", args=[alice.pk]))

    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(alice.pk)
    ]
    admin.post(reverse("clinic:reactivate", args=[alice.pk]))
    User.objects.get(pk=alice.pk, is_active=True)
    answer = her_browser.get(reverse("clients:list"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    assert admin.get(MEMBERS).status_code == 200  # the admin's own session is untouched


def test_a_reactivated_therapist_signs_in_again_with_her_password(
    carol: User, alice: User, password: str
) -> None:
    admin = signed_in(carol)
    admin.post(reverse("clinic:deactivate", args=[alice.pk]))

    page = admin.post(reverse("clinic:reactivate", args=[alice.pk]), follow=True)

    alice.refresh_from_db()
    assert alice.is_active
    assert "alice can sign in again." in page.content.decode()
    assert len(events("reactivated alice")) == 1
    assert signs_in("alice", password)


def test_the_clinics_last_active_admin_cannot_deactivate_herself(carol: User) -> None:
    page = signed_in(carol).post(reverse("clinic:deactivate", args=[carol.pk]), follow=True)

    carol.refresh_from_db()
    assert carol.is_active
    assert "carol is the clinic&#x27;s last active admin" in page.content.decode()
    assert events("deactivated carol") == []
    # and the members page does not offer what would be refused
    row = re.search(r'"Username">carol.*?</tr>', page.content.decode(), re.S)
    assert row and "the clinic\u2019s only admin" in row.group()
    assert f"/accounts/clinic/{carol.pk}/deactivate/" not in row.group()


def test_an_admin_may_deactivate_herself_when_another_admin_remains(
    carol: User, frank: User
) -> None:
    User.objects.filter(pk=frank.pk).update(role=User.Role.ADMIN)

    signed_in(carol).post(reverse("clinic:deactivate", args=[carol.pk]))

    carol.refresh_from_db()
    assert not carol.is_active


# ----------------------------------------------------------------------------- reset sign-in
def test_a_reset_sign_in_refuses_the_old_password_and_mails_a_new_link(
    carol: User, alice: User, password: str, mail_folder: Path
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    token, _ = ApiToken.issue(alice, "export")
    her_session = signed_in(alice)

    page = signed_in(carol).post(reverse("clinic:reset", args=[alice.pk]))

    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    alice.refresh_from_db()
    token.refresh_from_db()
    assert not alice.has_usable_password()
    assert token.revoked_at is not None
    assert len(events("reset the sign-in of alice")) == 1
    assert not signs_in("alice", password)
    assert her_session.get(reverse("clients:list")).status_code == 302
    html = page.content.decode()
    assert "sign-in is reset" in html
    link = link_in(mail_in(mail_folder))
    assert link in html
    set_password_with(link)
    assert signs_in("alice", NEW_PASSWORD)


def test_a_member_without_an_address_gets_the_link_from_the_screen_only(
    carol: User, alice: User, mail_folder: Path
) -> None:
    page = signed_in(carol).post(reverse("clinic:reset", args=[alice.pk]))

    html = page.content.decode()
    assert "could not be e-mailed: give it to alice yourself" in html
    assert link_in(html)
    assert mail_in(mail_folder) == ""


def test_an_admin_changes_her_own_password_elsewhere_not_by_a_reset(carol: User) -> None:
    page = signed_in(carol).post(reverse("clinic:reset", args=[carol.pk]), follow=True)

    assert "change your own password on the Password page" in page.content.decode()
    carol.refresh_from_db()
    assert events("reset the sign-in of carol") == []


# ----------------------------------------------------------------------------- who may
def test_the_clinic_page_lists_the_members_with_role_active_and_last_sign_in(
    carol: User, alice: User, bob: User
) -> None:
    User.objects.filter(pk=alice.pk).update(
        last_login=dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
    )

    html = signed_in(carol).get(MEMBERS).content.decode()

    assert "Alice Moss" in html and "4 Mar 2026 09:30" in html
    assert "Frank Orr" in html and "never" in html
    assert "Clinic admin" in html and "Therapist" in html and "Client" in html
    assert "Bob Tarn" not in html
    assert f'href="{MEMBERS}"' in html  # the top bar's link, for the admin


def test_a_therapist_sees_no_clinic_link_in_the_top_bar(alice: User) -> None:
    html = signed_in(alice).get(reverse("clients:list")).content.decode()
    assert f'href="{MEMBERS}"' not in html
    assert f'href="{reverse("password_change")}"' in html


@pytest.mark.parametrize("who", ["alice", "dan", "bob"])
def test_a_therapist_or_a_client_is_refused_every_clinic_page_with_403(
    people: People, who: str
) -> None:
    user: User = getattr(people, who)
    alice = people.alice
    browser = signed_in(user)
    answers = [
        browser.get(MEMBERS),
        browser.get(OUTBOX),
        browser.post(INVITE, HANA),
        browser.post(reverse("clinic:deactivate", args=[alice.pk])),
        browser.post(reverse("clinic:reactivate", args=[alice.pk])),
        browser.post(reverse("clinic:reset", args=[alice.pk])),
    ]
    assert [a.status_code for a in answers] == [403] * 6
    alice.refresh_from_db()
    assert alice.is_active and not User.objects.filter(username="hana").exists()
    assert not AuditEvent.objects.filter(object_type="User").exists()


def test_an_anonymous_visitor_is_asked_to_sign_in(db: None) -> None:
    for url in (MEMBERS, OUTBOX):
        assert Browser().get(url)["Location"].startswith(reverse("login"))
    assert Browser().post(INVITE, HANA)["Location"].startswith(reverse("login"))


def test_another_clinics_account_is_a_404_as_if_it_did_not_exist(
    carol: User, bob: User, password: str
) -> None:
    browser = signed_in(carol)
    for action in ("deactivate", "reactivate", "reset"):
        assert browser.post(reverse(f"clinic:{action}", args=[bob.pk])).status_code == 404
        assert browser.post(reverse(f"clinic:{action}", args=[987654])).status_code == 404
    bob.refresh_from_db()
    assert bob.is_active and bob.has_usable_password()
    assert not AuditEvent.objects.filter(object_type="User").exists()


@pytest.mark.parametrize(
    ("who", "members", "outbox"),
    [
        ("anonymous", 302, 302),
        ("bob", 403, 403),
        ("erin", 403, 403),
        ("dan", 403, 403),
        ("alice", 403, 403),
        ("carol", 200, 200),
    ],
)
def test_each_persona_gets_the_clinic_and_outbox_pages_as_expected(
    people: People, mail_folder: Path, who: str, members: int, outbox: int
) -> None:
    browser = Browser() if who == "anonymous" else signed_in(getattr(people, who))
    assert (browser.get(MEMBERS).status_code, browser.get(OUTBOX).status_code) == (
        members,
        outbox,
    )


# ----------------------------------------------------------------------------- the outbox
def test_the_outbox_shows_the_recent_mail_to_the_clinics_members_newest_first(
    carol: User, alice: User, bob: User, mail_folder: Path
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    User.objects.filter(pk=bob.pk).update(email="bob@hilltop.example")
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=8)):
        kept_mail("Too old", "old news", "alice@lakeside.example", carol.clinic_id)
    with time_machine.travel(now - dt.timedelta(days=2)):
        kept_mail("Earlier", "first", "Alice@Lakeside.example", carol.clinic_id)
    kept_mail("Hilltop only", "not Lakeside's", "bob@hilltop.example", bob.clinic_id)
    kept_mail("Later", "second\nline", "alice@lakeside.example", carol.clinic_id)

    html = signed_in(carol).get(OUTBOX).content.decode()

    assert "Later" in html and "Earlier" in html
    assert html.index("Later") < html.index("Earlier")
    assert "second<br>line" in html
    assert "Hilltop only" not in html and "Too old" not in html


def test_the_outbox_says_so_when_mail_goes_through_a_mail_server(
    carol: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    html = signed_in(carol).get(OUTBOX).content.decode()

    assert "sends its e-mail through a mail server" in html
    assert "outbox</a>" not in signed_in(carol).get(MEMBERS).content.decode()


def test_an_unreachable_mail_server_still_invites_and_shows_the_link(
    carol: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    page = signed_in(carol).post(INVITE, HANA)

    assert page.status_code == 200
    html = page.content.decode()
    assert "could not be e-mailed: give it to hana yourself" in html
    assert link_in(html)
    assert User.objects.filter(username="hana", clinic=carol.clinic).exists()


def test_the_clinic_admin_finds_each_change_on_the_audit_log_page(carol: User, alice: User) -> None:
    browser = signed_in(carol)
    browser.post(reverse("clinic:deactivate", args=[alice.pk]))
    browser.post(reverse("clinic:reactivate", args=[alice.pk]))

    html = browser.get(reverse("audit:log")).content.decode()

    assert f"account {alice.pk} — deactivated alice" in html
    assert f"account {alice.pk} — reactivated alice" in html


# ------------------------------------------------------------------------- one address
@pytest.fixture
def hilltop_admin(people: People) -> User:
    """Hilltop's clinic admin (the personas have none), working beside bob."""
    return member("hugo", "admin", people.hilltop, first_name="Hugo", last_name="Hill")


def test_another_clinics_admin_cannot_invite_the_address_of_a_deactivated_lakeside_member(
    carol: User, alice: User, hilltop_admin: User, mail_folder: Path
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    signed_in(carol).post(reverse("clinic:deactivate", args=[alice.pk]))

    page = signed_in(hilltop_admin).post(INVITE, HANA | {"email": "ALICE@lakeside.example"})

    assert page.status_code == 400
    assert "another Myomap account already uses ALICE@lakeside.example" in page.content.decode()
    assert not User.objects.filter(username="hana").exists()
    assert mail_in(mail_folder) == ""


def test_the_own_clinics_deactivated_address_is_refused_with_what_to_do(
    carol: User, alice: User, mail_folder: Path
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    signed_in(carol).post(reverse("clinic:deactivate", args=[alice.pk]))

    page = signed_in(carol).post(INVITE, HANA | {"email": "alice@lakeside.example"})

    assert page.status_code == 400
    assert "the deactivated account alice uses alice@lakeside.example" in page.content.decode()
    assert not User.objects.filter(username="hana").exists()


def test_a_reactivation_is_refused_while_another_account_uses_the_address(
    carol: User, alice: User, bob: User
) -> None:
    admin = signed_in(carol)
    User.objects.filter(pk=alice.pk).update(email="shared@example.org")
    admin.post(reverse("clinic:deactivate", args=[alice.pk]))
    User.objects.filter(pk=bob.pk).update(email="Shared@Example.org")  # from before the rule

    page = admin.post(reverse("clinic:reactivate", args=[alice.pk]), follow=True)

    assert not User.objects.get(pk=alice.pk).is_active
    assert "another Myomap account already uses shared@example.org" in page.content.decode()
    assert not events("reactivated alice")


def test_mail_for_a_lakeside_member_never_appears_in_another_clinics_outbox(
    carol: User, alice: User, bob: User, hilltop_admin: User, mail_folder: Path
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    # An address both clinics' accounts hold (from before the rule): only the stamp tells.
    User.objects.filter(pk=bob.pk).update(email="Alice@Lakeside.example")
    signed_in(carol).post(reverse("clinic:reset", args=[alice.pk]))
    send_mail(
        "Unstamped", "whose is this?", None, ["bob@hilltop.example", "alice@lakeside.example"]
    )
    link = link_in(mail_in(mail_folder))

    lakeside = signed_in(carol).get(OUTBOX).content.decode()
    hilltop = signed_in(hilltop_admin).get(OUTBOX).content.decode()

    assert "Set a new Myomap password" in lakeside and link in lakeside
    assert "Set a new Myomap password" not in hilltop and link not in hilltop
    assert "Unstamped" not in lakeside and "Unstamped" not in hilltop


def test_the_outbox_never_shows_mail_to_a_deactivated_member(
    carol: User, alice: User, mail_folder: Path
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    admin = signed_in(carol)
    admin.post(reverse("clinic:reset", args=[alice.pk]))
    assert "Set a new Myomap password" in admin.get(OUTBOX).content.decode()

    admin.post(reverse("clinic:deactivate", args=[alice.pk]))

    assert "Set a new Myomap password" not in admin.get(OUTBOX).content.decode()


def test_the_django_admin_refuses_an_address_another_account_uses(alice: User, bob: User) -> None:
    User.objects.filter(pk=bob.pk).update(email="bob@hilltop.example")
    superuser = User.objects.create_superuser("root", "", "long-admin-password-2026")
    browser = signed_in(superuser)
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = browser.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in {
            **form.initial,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00",
        }.items()
        if value is not None
        and name not in ("password", "date_joined", "last_login", "groups", "user_permissions")
    }

    page = browser.post(url, data | {"email": "Bob@Hilltop.example"})

    assert page.status_code == 200
    assert "Another account already uses Bob@Hilltop.example" in page.content.decode()
    assert User.objects.get(pk=alice.pk).email == ""
    browser.post(url, data | {"email": "alice@lakeside.example"})
    assert User.objects.get(pk=alice.pk).email == "alice@lakeside.example"
