"""Signing in by an e-mailed link, for clients: the sign-in page offers "E-mail me a
sign-in link"; a client whose portal sign-in has the address gets a one-time link through
the outbox, valid 15 minutes, used once (opening it shows a button: a mail program
looking at the link uses nothing up); asking is throttled as the sign-in is, and the
page's answer is the same for an unknown address. Staff never get such a link.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside
(dan is his login), alice his therapist."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client as Browser
from django.utils import timezone
from records_fixtures import IP, World, build_world, last_event_id, new_events

from myomap.accounts import outbox
from myomap.accounts.models import User
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.program import signin_links
from myomap.program.models import SignInLink

pytestmark = pytest.mark.django_db

SENT = "If a client's portal sign-in has that address, a sign-in link is on its way"


@pytest.fixture
def world() -> World:
    world = build_world()
    Client.objects.filter(pk=world.client.pk).update(email="dan@example.org")
    User.objects.filter(pk=world.alice.pk).update(email="alice@example.org")
    return world


def ask(address: str, browser: Browser | None = None):  # type: ignore[no-untyped-def]
    return (browser or Browser(REMOTE_ADDR=IP)).post("/portal/sign-in-link/", {"email": address})


def mailed_link(world: World, folder, address: str = "dan@example.org") -> str:  # type: ignore[no-untyped-def]
    mail = outbox.read(folder, world.lakeside.pk, {address}, timezone.now() - dt.timedelta(days=1))
    assert len(mail) == 1, mail
    found = re.search(r"http://\S+/portal/sign-in/\S+/", mail[0].body)
    assert found is not None and "works once, for 15 minutes" in mail[0].body
    return found.group(0).split("testserver", 1)[1]


def use(path: str, browser: Browser | None = None):  # type: ignore[no-untyped-def]
    """The sign-in page's button: the link's secret goes in the form, not in the path."""
    secret = path.rstrip("/").rsplit("/", 1)[1]
    return (browser or Browser(REMOTE_ADDR=IP)).post("/portal/sign-in/", {"link": secret})


def test_the_login_page_offers_the_link_to_clients(world: World) -> None:
    page = Browser().get("/accounts/login/").content.decode()
    assert 'href="/portal/sign-in-link/"' in page and "E-mail me a sign-in link" in page


def test_a_client_asks_for_a_link_and_signs_in_with_it_once(world: World, mail_folder) -> None:  # type: ignore[no-untyped-def]
    first = last_event_id()
    answer = ask("Dan@Example.org")
    assert answer.status_code == 200 and SENT in html.unescape(answer.content.decode())
    stored = SignInLink.objects.get()
    assert (stored.client, stored.user, stored.used_at) == (world.client, world.dan, None)
    assert stored.expires_at - stored.created_at == dt.timedelta(minutes=15)
    path = mailed_link(world, mail_folder)
    assert path.split("/")[-2] not in stored.digest  # only a digest is kept
    assert [(e.action, e.client) for e in new_events(first)] == [
        (AuditEvent.Action.CREATE, world.client)
    ]

    browser = Browser(REMOTE_ADDR=IP)
    shown = browser.get(path)  # looking at it uses nothing up
    assert shown.status_code == 200 and "Hello Dan" in shown.content.decode()
    assert SignInLink.objects.get().used_at is None
    assert 'action="/portal/sign-in/"' in shown.content.decode()
    signed_in = use(path, browser)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/me/"
    assert browser.get("/me/").status_code == 200
    stored.refresh_from_db()
    assert stored.used_at is not None
    used = [e for e in new_events(first) if e.object_type == "SignInLink"]
    assert [(e.action, e.actor, e.client) for e in used] == [
        (AuditEvent.Action.CREATE, None, world.client),
        (AuditEvent.Action.UPDATE, world.dan, world.client),
    ]

    again = use(path)
    assert again.status_code == 410
    assert "already been used" in html.unescape(again.content.decode())
    assert 'href="/portal/sign-in-link/"' in again.content.decode()


def test_a_link_expires_after_15_minutes(world: World, mail_folder, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(timezone.now())
    ask("dan@example.org")
    path = mailed_link(world, mail_folder)
    time_machine.shift(dt.timedelta(minutes=15, seconds=1))
    browser = Browser(REMOTE_ADDR=IP)
    answer = use(path, browser)
    assert answer.status_code == 410
    assert "has expired (a link works for 15 minutes)" in html.unescape(answer.content.decode())
    assert SignInLink.objects.get().used_at is None
    assert browser.get("/me/").status_code == 302  # not signed in


def test_a_new_link_replaces_the_one_before(world: World, mail_folder) -> None:  # type: ignore[no-untyped-def]
    ask("dan@example.org")
    old = mailed_link(world, mail_folder)
    for path in mail_folder.glob("*.log"):
        path.unlink()
    ask("dan@example.org")
    new = mailed_link(world, mail_folder)
    assert use(old).status_code == 410
    assert use(new).status_code == 302


def test_an_unknown_address_or_a_staff_address_gets_the_same_answer_and_no_mail(
    world: World, mail_folder
) -> None:  # type: ignore[no-untyped-def]
    first = last_event_id()
    for address in ("nobody@example.org", "alice@example.org"):
        answer = ask(address)
        assert answer.status_code == 200 and SENT in html.unescape(answer.content.decode())
    assert not SignInLink.objects.exists() and new_events(first) == []
    since = timezone.now() - dt.timedelta(days=1)
    assert outbox.read(mail_folder, world.lakeside.pk, {"alice@example.org"}, since) == []


def test_asking_is_throttled_as_the_sign_in(world: World, mail_folder) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        assert ask("dan@example.org").status_code == 200
    refused = ask("dan@example.org")
    assert refused.status_code == 429
    text = html.unescape(refused.content.decode())
    assert "Too many requests for a sign-in link. For your security, try again in" in text
    assert SignInLink.objects.count() == 5


def test_a_bad_address_is_named(world: World) -> None:
    answer = ask("not an address")
    assert answer.status_code == 400
    assert "write the e-mail address your clinic has for you" in answer.content.decode()
    assert not SignInLink.objects.exists()


def test_an_unknown_link_says_so(world: World) -> None:
    answer = Browser().get("/portal/sign-in/made-up-secret/")
    assert answer.status_code == 410
    assert "This sign-in link is not valid. Ask for a new one." in answer.content.decode()


def test_a_link_never_signs_in_an_account_that_is_no_longer_a_client(
    world: World, mail_folder
) -> None:  # type: ignore[no-untyped-def]
    ask("dan@example.org")
    path = mailed_link(world, mail_folder)
    User.objects.filter(pk=world.dan.pk).update(is_active=False)
    assert use(path).status_code == 410
    assert dt.timedelta(minutes=15) == signin_links.VALID


def test_the_links_secret_is_in_no_audit_event(world: World, mail_folder) -> None:  # type: ignore[no-untyped-def]
    """The audit log is read by the clinic's admins: the sign-in it records (the link used
    up, the session begun) names the sign-in page, never the link."""
    first = last_event_id()
    ask("dan@example.org")
    path = mailed_link(world, mail_folder)
    secret = path.rstrip("/").rsplit("/", 1)[1]
    browser = Browser(REMOTE_ADDR=IP)
    assert browser.get(path).status_code == 200
    assert browser.post(path).status_code == 405  # the button posts to the sign-in page
    assert SignInLink.objects.get().used_at is None
    assert use(path, browser).status_code == 302
    events = new_events(first)
    assert {e.summary for e in events} >= {"signed in", "signed in with an e-mailed link (dan)"}
    assert all(secret not in f"{e.path} {e.summary}" for e in events), [e.path for e in events]


def test_a_sign_in_without_a_link_says_it_is_not_valid(world: World) -> None:
    answer = Browser().post("/portal/sign-in/", {})
    assert answer.status_code == 410
    assert "This sign-in link is not valid" in answer.content.decode()


def test_a_link_the_mail_server_refused_is_not_kept_and_the_one_before_still_works(
    world: World, mail_folder, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import smtplib

    ask("dan@example.org")
    before = mailed_link(world, mail_folder)
    first = last_event_id()

    def refuse(**kwargs: object) -> None:
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr("myomap.program.invitations.deliver", refuse)
    answer = ask("dan@example.org")
    assert answer.status_code == 200 and SENT in html.unescape(answer.content.decode())
    assert SignInLink.objects.count() == 1 and new_events(first) == []
    assert use(before).status_code == 302  # the link already in the mailbox still signs in
