"""The guided session writes the note: after a run through the points, the SOAP draft's
Objective says what was done on each point (holds, pressure, how it released, tenderness
before and after) and its Assessment the session's change in pain, without anyone typing
it; the note page shows the same. A visit without a session drafts as before.

The world is tests/web/records_fixtures.py's: alice (Lakeside's therapist) treats Dan
Marlowe, whose visit has a plan; its first point is the left deep caudal quadratus
lumborum."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from records_fixtures import World, build_world

from myomap.audit.log import Context
from myomap.visits import actions as visit_actions
from myomap.visits import session_actions
from myomap.visits.models import SessionRun

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
QL = "quadratus-lumborum-deep-caudal"


@pytest.fixture
def world() -> Iterator[World]:
    with time_machine.travel(T0, tick=False):
        world = build_world()
        SessionRun.objects.all().delete()  # the shared world's session: each test its own
        yield world


def event(event_id: str, kind: str, seconds: int, /, **fields: Any) -> session_actions.EventData:
    return session_actions.EventData(event_id, kind, T0 + dt.timedelta(seconds=seconds), fields)


RUN = [
    event("p0", "pain-now", 1, when="start", value=6),
    event("e1", "go-to-point", 10, trigger_point=QL, side="left"),
    event("e2", "tenderness", 20, when="before", value=7),
    event("e3", "start-hold", 30, technique="ischemic-compression", pressure="moderate"),
    event("e4", "feedback", 35, kind="too-much"),
    event("e5", "release-hold", 55),
    event("e6", "start-hold", 60, technique="ischemic-compression", pressure="light"),
    event("e7", "feedback", 80, kind="released"),
    event("e8", "release-hold", 82),
    event("e9", "tenderness", 90, when="after", value=3),
    event("p1", "pain-now", 100, when="end", value=3),
]


def test_the_draft_says_what_the_session_did_point_by_point(world: World) -> None:
    ctx = Context(user=world.alice, via="web", now=T0 + dt.timedelta(seconds=120))
    session_actions.start_session(ctx, world.visit)
    session_actions.record_events(ctx, world.visit, RUN)
    session_actions.end_session(ctx, world.visit)
    version = visit_actions.draft_note(ctx, world.visit, revision=world.revision())

    objective, assessment = version.objective, version.assessment
    assert "Treated in the session:" in objective
    done = objective.split("Treated in the session:")[1]
    assert "quadratus lumborum" in done.lower()
    assert "2 holds of 22\u201325 s" in done and "moderate then light pressure" in done
    assert "released on the second" in done and "tenderness 7 → 3" in done
    assert "pain 6 → 3 during the session" in assessment
    # what the therapist reads before signing: the note page shows the same text
    page = world.web("alice").get(f"/visits/{world.visit.pk}/note/").content.decode()
    assert "tenderness 7 → 3" in page and "pain 6 → 3 during the session" in page


def test_a_point_held_in_the_session_but_never_palpated_is_treatment_in_the_plan(
    world: World,
) -> None:
    """The therapist went straight from the plan to the session: the point the session held
    is in the plan's treatment, not among the candidates still to palpate."""
    world.visit.palpations.all().delete()
    ctx = Context(user=world.alice, via="web", now=T0 + dt.timedelta(seconds=120))
    session_actions.start_session(ctx, world.visit)
    session_actions.record_events(ctx, world.visit, RUN)
    session_actions.end_session(ctx, world.visit)
    version = visit_actions.draft_note(ctx, world.visit, revision=world.revision())

    assert "Treatment plan: 1. left quadratus lumborum, deep caudal" in version.plan
    later = [line for line in version.plan.splitlines() if line.startswith("Candidates to")]
    assert all("deep caudal" not in line for line in later), later
    page = world.web("alice").get(f"/visits/{world.visit.pk}/note/").content.decode()
    assert "Treatment plan: 1. left quadratus lumborum, deep caudal" in page


def test_a_visit_without_a_session_drafts_as_before(world: World) -> None:
    ctx = Context(user=world.alice, via="web", now=T0)
    version = visit_actions.draft_note(ctx, world.visit, revision=world.revision())
    assert "Treated in the session:" not in version.objective
    assert "during the session" not in version.assessment


def test_a_draft_written_before_the_session_learns_the_record_changed(world: World) -> None:
    ctx = Context(user=world.alice, via="web", now=T0 + dt.timedelta(seconds=120))
    before = visit_actions.draft_note(ctx, world.visit, revision=world.revision())
    assert not before.record_changed and "Treated in the session:" not in before.objective
    session_actions.start_session(ctx, world.visit)
    session_actions.record_events(ctx, world.visit, RUN)
    before.refresh_from_db()
    assert before.record_changed  # the running session's events already changed the record
    session_actions.end_session(ctx, world.visit)
    before.refresh_from_db()
    assert before.record_changed and before.revision == world.revision()
    redrafted = visit_actions.draft_note(ctx, world.visit, revision=before.revision)
    assert "tenderness 7 → 3" in redrafted.objective and not redrafted.record_changed


HOLD = [
    event("h1", "go-to-point", 10, trigger_point=QL, side="left"),
    event("h2", "start-hold", 20, technique="ischemic-compression", pressure="moderate"),
    event("h3", "release-hold", 45),
]


def test_a_note_cannot_be_signed_while_its_session_runs(world: World) -> None:
    """Signing mid-session would lock the record under the running session (which could
    then never end) and sign a note that misses what came next: refused until it ends."""
    ctx = Context(user=world.alice, via="web", now=T0 + dt.timedelta(seconds=120))
    draft = visit_actions.draft_note(ctx, world.visit, revision=world.revision())
    session_actions.start_session(ctx, world.visit)
    session_actions.record_events(ctx, world.visit, HOLD)
    draft.refresh_from_db()
    assert draft.record_changed  # the draft is told the record changed under it

    alice, url = world.web("alice"), f"/visits/{world.visit.pk}/note/"
    text = {f: getattr(draft, f) or "text" for f in ("subjective", "objective", "assessment")}
    form = {"revision": draft.revision, **text, "plan": "continue", "sign": ""}
    refused = alice.post(url + "save/", form)
    assert refused.status_code == 409
    assert "end the session first" in refused.content.decode()
    api = world.api("alice").post(
        f"/api/visits/{world.visit.pk}/note/sign", {"revision": draft.revision}, "application/json"
    )
    assert api.status_code == 409 and "end the session first" in api.json()["detail"]
    draft.refresh_from_db()
    assert not draft.is_signed and draft.signed_at is None
    assert SessionRun.objects.get(visit=world.visit).ended_at is None

    # Once the session ends, the redrafted note names the hold and signs.
    session_actions.end_session(ctx, world.visit)
    redrafted = visit_actions.draft_note(ctx, world.visit, revision=world.revision())
    signed = alice.post(
        url + "save/",
        {
            "revision": redrafted.revision,
            "sign": "",
            **{f: getattr(redrafted, f) for f in ("subjective", "objective", "assessment", "plan")},
        },
    )
    assert signed.status_code == 302
    redrafted.refresh_from_db()
    assert redrafted.is_signed and "1 hold of 25 s" in redrafted.objective
    page = alice.get(url).content.decode()
    assert "signed" in page and "1 hold of 25 s" in page
