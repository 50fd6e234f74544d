"""The client's portal shows their signed session notes' client summary itself: the
latest on /me/ (the visit's day, the therapist, the muscles worked on, the aftercare
advice), older ones on /me/notes/ behind a link. Never a draft or an unsigned amendment,
never the note's clinical text (S, O, A, P are written for the clinic).

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside
(dan is his login), erin another Lakeside client, alice his therapist."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.visits import actions as visit_actions
from myomap.visits import queries as visit_queries
from myomap.visits.models import SessionRun, Visit

pytestmark = pytest.mark.django_db

DRAFT_WORDS = "Words-only-in-an-unsigned-draft"


@pytest.fixture
def world() -> World:
    return build_world()


def section(page: str, anchor: str) -> str:
    part = page[page.index(f'id="{anchor}"') :]
    return html.unescape(part[: part.index("</section>")])


def sign_the_planned_visit(world: World, when: dt.datetime) -> None:
    """Dan's other visit, its note signed too, a week after the signed one."""
    Visit.objects.filter(pk=world.visit.pk).update(started_at=when)
    SessionRun.objects.filter(visit=world.visit).delete()
    ctx = Context(user=world.alice)
    visit_actions.sign_note(ctx, world.visit, revision=world.revision())


def test_the_latest_signed_notes_summary_is_on_the_portal(world: World) -> None:
    first = last_event_id()
    page = world.web("dan").get("/me/").content.decode()
    shown = section(page, "last-session")
    day = timezone.localtime(world.signed_visit.started_at)
    assert f"{day:%A} {day.day} {day:%B %Y}, with Alice Moss" in shown
    assert "Worked on: Quadratus lumborum (left)" in shown
    assert "Soreness may last" in shown
    assert "Earlier sessions" not in shown  # one signed note only
    signed = visit_queries.versions_for(world.alice, world.signed_visit)[0]
    for clinical in (signed.subjective, signed.objective, signed.assessment, signed.plan):
        assert html.unescape(clinical) not in html.unescape(page)
    assert [(e.action, e.actor) for e in new_events(first)] == [(AuditEvent.Action.VIEW, world.dan)]


def test_a_draft_or_an_unsigned_amendment_is_never_shown(world: World) -> None:
    ctx = Context(user=world.alice)
    amendment = visit_actions.amend_note(ctx, world.signed_visit, "Adding what was said.")
    draft = visit_queries.latest_version(world.visit)
    assert draft is not None
    for version in (draft, amendment):
        version.subjective = f"{DRAFT_WORDS} {version.subjective}"
        version.save()
    for path in ("/me/", "/me/notes/"):
        page = world.web("dan").get(path).content.decode()
        assert DRAFT_WORDS not in page
    shown = section(world.web("dan").get("/me/").content.decode(), "last-session")
    # the signed version still stands while its amendment is open
    assert "Worked on: Quadratus lumborum (left)" in shown


def test_older_summaries_are_behind_a_link(world: World) -> None:
    later = world.signed_visit.started_at + dt.timedelta(days=7)
    sign_the_planned_visit(world, later)
    page = world.web("dan").get("/me/").content.decode()
    shown = section(page, "last-session")
    day = timezone.localtime(later)
    assert f"{day:%A} {day.day} {day:%B %Y}, with Alice Moss" in shown
    assert 'href="/me/notes/"' in shown and "Earlier sessions (1)" in shown
    first = last_event_id()
    listing = html.unescape(world.web("dan").get("/me/notes/").content.decode())
    older = timezone.localtime(world.signed_visit.started_at)
    newer_at = listing.index(f"{day:%A} {day.day} {day:%B %Y}, with Alice Moss")
    older_at = listing.index(f"{older:%A} {older.day} {older:%B %Y}, with Alice Moss")
    assert newer_at < older_at
    assert [(e.action, e.actor, e.client) for e in new_events(first)] == [
        (AuditEvent.Action.VIEW, world.dan, world.client)
    ]


def test_no_signed_note_says_so_and_another_client_sees_none_of_dans(world: World) -> None:
    page = html.unescape(world.web("erin").get("/me/").content.decode())
    assert "No signed session note yet" in section(page, "last-session")
    listing = world.web("erin").get("/me/notes/").content.decode()
    assert "Alice Moss" not in listing and "No signed session note yet" in listing


@pytest.mark.parametrize("persona", ["alice", "carol", "bob"])
def test_staff_have_no_portal_notes_page(world: World, persona: str) -> None:
    assert world.web(persona).get("/me/notes/").status_code == 403
