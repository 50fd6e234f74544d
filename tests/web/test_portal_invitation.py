"""The client's invitation to the portal: the therapist invites from the record (a
one-time link e-mailed through the outbox and shown as a QR code), the client sets a
password and consents, the link works once and expires; a used or expired link says so
and tells the client to ask the clinic. Every step is audited.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside,
alice his therapist, bob at Hilltop. Gail Fenwick is a Lakeside client without a login."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as Browser
from records_fixtures import IP, World, build_world, last_event_id, new_events

from myomap.accounts import outbox
from myomap.accounts.models import User
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.program.models import Invitation

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-long-and-quiet-river-stone"


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def gail(world: World) -> Client:
    gail = Client.objects.get(family_name="Fenwick")
    gail.email = "gail@example.org"
    gail.save(update_fields=["email"])
    return gail


def invite(world: World, client: Client, persona: str = "alice") -> tuple[str, str]:
    """The therapist's invitation: the page shown and the one-time link's path."""
    page = world.web(persona).post(f"/portal/clients/{client.pk}/invite/")
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    link = re.search(
        r'<code class="invite-link">https?://[^/]+(/portal/invite/[^<]+/)</code>', html
    )
    assert link is not None
    return html, link.group(1)


def accept(link: str, username: str = "gail", password: str = NEW_PASSWORD, consent: bool = True):  # type: ignore[no-untyped-def]
    form = {"username": username, "password": password, "password_again": password}
    if consent:
        form["consent"] = "on"
    return Browser(REMOTE_ADDR=IP).post(link, form)


def test_the_therapist_invites_by_email_and_qr_code(
    world: World, gail: Client, mail_folder
) -> None:  # type: ignore[no-untyped-def]
    first = last_event_id()
    html, link = invite(world, gail)
    assert 'src="data:image/svg+xml;base64,' in html
    assert "The link was e-mailed to gail@example.org" in html
    stored = Invitation.objects.get(client=gail)
    assert stored.sent_to == "gail@example.org" and stored.used_at is None
    assert link.split("/")[-2] not in stored.digest  # only a digest is kept
    mail = outbox.read(
        mail_folder,
        world.lakeside.pk,
        {"gail@example.org"},
        stored.created_at - dt.timedelta(days=1),
    )
    assert len(mail) == 1 and link in mail[0].body
    assert [(e.action, e.client_id) for e in new_events(first)] == [
        (AuditEvent.Action.CREATE, gail.pk)
    ]


def test_the_client_sets_a_password_consents_and_lands_on_the_portal(
    world: World, gail: Client
) -> None:
    _, link = invite(world, gail)
    page = Browser(REMOTE_ADDR=IP).get(link)
    assert page.status_code == 200
    assert "Welcome, Gail" in page.content.decode()
    assert "the questionnaires I answer there" in page.content.decode()  # what they agree to
    first = last_event_id()
    browser = Browser(REMOTE_ADDR=IP)
    done = browser.post(
        link,
        {
            "username": "gail",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
            "consent": "on",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/me/"
    user = User.objects.get(username="gail")
    assert user.role == User.Role.CLIENT and user.clinic == world.lakeside
    assert user.check_password(NEW_PASSWORD)
    gail.refresh_from_db()
    assert gail.user == user
    stored = Invitation.objects.get(client=gail)
    assert stored.used_at is not None and stored.consent_at is not None
    assert "I agree to use the clinic's client portal" in stored.consent_text
    # the portal asks questionnaires too: the consent says so
    assert "the questionnaires I answer there" in stored.consent_text
    events = new_events(first)
    assert [(e.action, e.object_type, e.actor) for e in events] == [
        (AuditEvent.Action.UPDATE, "Invitation", user),
        (AuditEvent.Action.UPDATE, "User", user),  # signed in
    ]
    assert "portal consent given" in events[0].summary
    home = browser.get("/me/")
    assert home.status_code == 200
    assert "Your therapist has not given you a home program yet." in home.content.decode()


def test_an_invitation_works_once(world: World, gail: Client) -> None:
    _, link = invite(world, gail)
    assert accept(link).status_code == 302
    again = accept(link, username="gail2")
    assert again.status_code == 410
    html = again.content.decode()
    assert "already been used" in html and "ask your clinic for a new link" in html
    assert not User.objects.filter(username="gail2").exists()
    assert Browser().get(link).status_code == 410


def test_an_invitation_expires(world: World, gail: Client, time_machine) -> None:  # type: ignore[no-untyped-def]
    _, link = invite(world, gail)
    time_machine.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(days=8))
    page = accept(link)
    assert page.status_code == 410
    assert (
        "This invitation link has expired. Ask your clinic for a new one." in page.content.decode()
    )
    assert not User.objects.filter(username="gail").exists()
    assert Invitation.objects.get(client=gail).used_at is None


def test_a_new_invitation_stops_the_old_one(world: World, gail: Client) -> None:
    _, old = invite(world, gail)
    _, new = invite(world, gail)
    page = accept(old)
    assert page.status_code == 410
    html = page.content.decode()
    assert "This invitation link was replaced by a newer one from your clinic." in html
    assert "Use the newest link they sent you, or ask them for a new one." in html
    assert "has expired" not in html
    assert not User.objects.filter(username="gail").exists()
    assert accept(new).status_code == 302


def test_an_unknown_link_says_to_ask_the_clinic(world: World) -> None:
    page = Browser().get("/portal/invite/not-a-real-secret/")
    assert page.status_code == 410
    assert "Ask your clinic for a new one." in page.content.decode()


def test_consent_is_required_and_nothing_is_saved_without_it(world: World, gail: Client) -> None:
    _, link = invite(world, gail)
    page = accept(link, consent=False)
    assert page.status_code == 400
    assert "tick the box to agree to the portal" in page.content.decode()
    assert not User.objects.filter(username="gail").exists()
    assert Invitation.objects.get(client=gail).used_at is None


def test_a_weak_password_is_refused_naming_the_field(world: World, gail: Client) -> None:
    _, link = invite(world, gail)
    page = accept(link, password="short")
    assert page.status_code == 400
    assert not User.objects.filter(username="gail").exists()
    assert 'class="field has-error"' in page.content.decode()


def test_a_client_with_a_login_sets_a_new_password(world: World) -> None:
    _, link = invite(world, world.client)
    page = Browser().get(link)
    assert "Your username is <strong>dan</strong>" in page.content.decode()
    done = Browser(REMOTE_ADDR=IP).post(
        link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "consent": "on"}
    )
    assert done.status_code == 302
    world.dan.refresh_from_db()
    assert world.dan.check_password(NEW_PASSWORD)
    assert User.objects.filter(role=User.Role.CLIENT).count() == 2


@pytest.mark.parametrize("persona", ["dan", "erin"])
def test_a_client_cannot_invite(world: World, persona: str) -> None:
    assert world.web(persona).post(f"/portal/clients/{world.client.pk}/invite/").status_code == 403
    assert not Invitation.objects.exists()


def test_another_clinic_cannot_invite(world: World) -> None:
    assert world.web("bob").post(f"/portal/clients/{world.client.pk}/invite/").status_code == 404
    assert not Invitation.objects.exists()


def test_the_record_shows_the_invitation_state(world: World, gail: Client) -> None:
    page = world.web("alice").get(f"/clients/{gail.pk}/").content.decode()
    assert "Invite to the portal" in page and "no portal sign-in yet" in page
    _, link = invite(world, gail)
    accept(link)
    page = world.web("alice").get(f"/clients/{gail.pk}/").content.decode()
    assert "portal consent given" in page and "Send a new portal link" in page


def test_a_link_never_sets_a_staff_password(world: World) -> None:
    """A record linked by mistake to a therapist's sign-in: the link is refused."""
    gail = Client.objects.get(family_name="Fenwick")
    Client.objects.filter(pk=gail.pk).update(user=world.frank)
    _, link = invite(world, gail)
    page = Browser(REMOTE_ADDR=IP).post(
        link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "consent": "on"}
    )
    assert page.status_code == 410
    world.frank.refresh_from_db()
    assert not world.frank.check_password(NEW_PASSWORD)
    assert Invitation.objects.get(client=gail).used_at is None


def test_the_password_rules_are_said_before_the_client_chooses_one(
    world: World, gail: Client
) -> None:
    _, link = invite(world, gail)
    html = Browser(REMOTE_ADDR=IP).get(link).content.decode()
    assert 'id="id_password-help"' in html
    assert "Your password must contain at least" in html
    assert "commonly used password" in html
    refused = accept(link, password="password")
    assert refused.status_code == 400
    assert "This password is too common." in refused.content.decode()
    assert not User.objects.filter(username="gail").exists()
