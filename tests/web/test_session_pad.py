"""The client's own phone as a feedback pad: the therapist's page shows a QR code and a
short link for the visit's open session; the pad (no login) shows the current point's name
and side and nothing else of the record; a tap is recorded once, as feedback in the active
hold, on the server's clock; an altered, expired or ended link, or one of another visit, is
refused with a message naming what is wrong, and opens nothing of another clinic.

The world is tests/web/records_fixtures.py's: alice (Lakeside's therapist) treats Dan
Marlowe, whose visit's session is open at its first point; bob is a therapist at Hilltop;
dan is Dan Marlowe's own login."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.test import Client as Browser
from records_fixtures import CONSENT, DAN_FAMILY_NAME, LOW_BACK, World, build_world, record_findings

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.core.kb import load_default
from myomap.core.notes import point_name
from myomap.visits import actions as visit_actions
from myomap.visits import pad_tokens, session_actions
from myomap.visits.models import SessionEvent, SessionRun, Visit

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
QL = "quadratus-lumborum-deep-caudal"  # the plan's first point, on the left
NOTE_WORDS = "gardening"  # in Dan's intake complaint: never on the pad


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock: Any) -> World:
    """The records world: Dan's planned visit's session open at its first point."""
    return build_world()


def run_of(visit: Visit) -> SessionRun:
    return SessionRun.objects.get(visit=visit, ended_at__isnull=True)


def run_of_any(visit: Visit) -> SessionRun:
    return SessionRun.objects.get(visit=visit)


def token_for(world: World, visit: Visit | None = None) -> str:
    return pad_tokens.make_token(run_of(visit or world.visit), world.alice)


def start_hold(
    world: World, at: dt.datetime, visit: Visit | None = None, received: dt.datetime | None = None
) -> None:
    """The tablet starts a hold at its time `at`, received by the server at `received`."""
    ctx = Context(user=world.alice, now=received or at)
    hold = session_actions.EventData(
        f"hold-{at.timestamp()}",
        "start-hold",
        at,
        {"technique": "ischemic-compression", "pressure": "moderate"},
    )
    session_actions.record_events(ctx, visit or world.visit, [hold])


def tap(token: str, event_id: str, kind: str, at: dt.datetime, sent: dt.datetime) -> Any:
    body = {"id": event_id, "kind": kind, "at": at.isoformat(), "sent": sent.isoformat()}
    phone = Browser(enforce_csrf_checks=True)  # no session: the token is the credential
    return phone.post(f"/pad/{token}/events", json.dumps(body), content_type="application/json")


def feedback_rows(visit: Visit) -> list[tuple[str, dt.datetime, dict[str, Any]]]:
    rows = SessionEvent.objects.filter(run__visit=visit, kind="feedback").order_by("id")
    return [(r.event_id, r.at, r.fields) for r in rows]


def qr_text(page: str) -> str:
    found = re.search(r'<img id="pad-qr" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert found, "the page has no QR code"
    return base64.b64decode(found[1]).decode()


# ----------------------------------------------------------------------------- the link page
def test_alice_gets_a_qr_code_and_the_short_link_of_the_open_session(world: World) -> None:
    response = world.web("alice").get(f"/visits/{world.visit.pk}/session/pad/")
    page = response.content.decode()
    assert response.status_code == 200
    svg = qr_text(page)
    assert svg.startswith("<?xml") and "<svg" in svg and "<path" in svg
    link = re.search(r'<a id="pad-link" href="([^"]+)">', page)
    assert link and link[1].startswith("http://testserver/pad/")
    # The link opens the pad of this visit's session.
    token = link[1].removeprefix("http://testserver/pad/").rstrip("/")
    assert pad_tokens.open_token(token).run == run_of(world.visit)
    assert "until 13:00" in page  # four hours at most
    made = AuditEvent.objects.get(summary__startswith="client's feedback pad link made")
    assert (made.actor, made.object_type, made.client_id) == (
        world.alice,
        "SessionRun",
        world.client.pk,
    )


def test_without_an_open_session_the_page_says_so_and_links_back(world: World) -> None:
    SessionRun.objects.filter(visit=world.visit).update(ended_at=T0)
    page = world.web("alice").get(f"/visits/{world.visit.pk}/session/pad/").content.decode()
    assert "No session is open for this visit" in page
    assert f'href="/visits/{world.visit.pk}/session/"' in page
    assert "pad-qr" not in page and "/pad/" not in page.replace("/session/pad/", "")


def test_bob_of_another_clinic_gets_404_and_no_link(world: World) -> None:
    response = world.web("bob").get(f"/visits/{world.visit.pk}/session/pad/")
    page = response.content.decode()
    assert response.status_code == 404
    assert DAN_FAMILY_NAME not in page and "pad-qr" not in page
    # Only his attempt is logged, for Lakeside's admin to see.
    bobs = AuditEvent.objects.filter(actor=world.bob, summary__contains="pad")
    assert [e.action for e in bobs] == [AuditEvent.Action.REFUSED]


def test_dan_with_his_own_login_is_refused_the_link_page(world: World) -> None:
    response = world.web("dan").get(f"/visits/{world.visit.pk}/session/pad/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "pad-qr" not in page and "/pad/" not in page.replace("/session/pad/", "")


# ----------------------------------------------------------------------------- the pad
def test_the_pad_shows_the_current_point_and_nothing_else_of_the_record(world: World) -> None:
    token = token_for(world)
    response = Browser().get(f"/pad/{token}/")
    page = response.content.decode()
    assert response.status_code == 200
    name = point_name(load_default(), QL, "left")
    assert f'<span id="pad-point">{html.escape(name)}</span>' in page
    for label in ("Too much", "Too little", "Better", "Worse", "Released", "Stop"):
        assert f">{label}</button>" in page
    assert "Referral reproduced" in page
    # Nothing of the record: no client name, no complaint, no other point, no navigation.
    for secret in (DAN_FAMILY_NAME, "Dan", NOTE_WORDS, "Clients", "Sign out"):
        assert secret not in page
    others = [s for s in world.visit.plan_steps.all() if s.trigger_point != QL]
    for step in others:
        assert point_name(load_default(), step.trigger_point, step.side) not in page
    assert "<script>" not in page and "/static/myomap/js/pad.js" in page
    assert response["Referrer-Policy"] == "no-referrer"
    # Its state: the point's name and side, whether a hold is active, nothing more.
    state = Browser().get(f"/pad/{token}/state").json()
    assert state == {"point": name, "side": "left", "hold": False, "ended": False}
    opened = AuditEvent.objects.get(summary="client's feedback pad opened")
    assert (opened.via, opened.actor, opened.path) == ("pad", world.alice, "/pad/")
    assert token not in opened.path


def test_a_tap_is_stored_once_as_feedback_in_the_active_hold(world: World, clock: Any) -> None:
    start_hold(world, T0 + dt.timedelta(seconds=10))
    clock.move_to(T0 + dt.timedelta(seconds=15))
    token = token_for(world)
    assert Browser().get(f"/pad/{token}/state").json()["hold"] is True
    # The phone's clock is 5 minutes behind: its tap, made 2 s before it was sent, lands
    # 2 s before the server received it (15 s into the session, 3 s into... the hold).
    phone = T0 + dt.timedelta(seconds=15) - dt.timedelta(minutes=5)
    made = phone - dt.timedelta(seconds=2)
    first = tap(token, "pad-1", "too-much", made, phone)
    again = tap(token, "pad-1", "too-much", made, phone)
    assert first.status_code == again.status_code == 200
    assert first.json()["recorded"] is True and first.json()["hold"] is True
    assert feedback_rows(world.visit) == [
        ("pad:pad-1", T0 + dt.timedelta(seconds=13), {"kind": "too-much", "by": "pad"})
    ]
    state = session_actions.session_queries.session_for(
        world.alice, world.visit, load_default(), T0 + dt.timedelta(seconds=15)
    )
    assert state is not None and state.active is not None
    assert [(f.kind, f.second) for f in state.active.hold.feedback] == [("too-much", 3)]
    written = AuditEvent.objects.filter(
        object_type="SessionRun", summary="session: 1 event recorded (feedback)"
    )
    assert [(e.via, e.actor, e.path) for e in written] == [("pad", world.alice, "/pad/")]


def fresh_run(world: World) -> None:
    """The world's visit with a new session started at T0, no point chosen yet."""
    SessionRun.objects.filter(visit=world.visit).delete()
    session_actions.start_session(Context(user=world.alice, now=T0), world.visit)


def go_to_point(world: World, at: dt.datetime, received: dt.datetime) -> None:
    ctx = Context(user=world.alice, now=received)
    step = session_actions.EventData(
        f"go-{at.timestamp()}", "go-to-point", at, {"trigger_point": QL, "side": "left"}
    )
    session_actions.record_events(ctx, world.visit, [step])


def test_a_tap_is_put_on_the_tablets_clock_when_the_tablet_runs_behind(
    world: World, clock: Any
) -> None:
    # The tablet's clock is 10 s behind the server's: each of its events arrives 10 s
    # after its own time. The phone's clock is right; it taps at the server's 09:00:25,
    # which is 5 s into the hold on the session's (the tablet's) clock.
    fresh_run(world)
    go_to_point(world, T0 + dt.timedelta(seconds=5), received=T0 + dt.timedelta(seconds=15))
    start_hold(world, T0 + dt.timedelta(seconds=10), received=T0 + dt.timedelta(seconds=20))
    now = T0 + dt.timedelta(seconds=25)
    clock.move_to(now)
    answer = tap(token_for(world), "pad-late", "better", now, now)
    assert answer.status_code == 200, answer.json()
    assert feedback_rows(world.visit) == [
        ("pad:pad-late", T0 + dt.timedelta(seconds=15), {"kind": "better", "by": "pad"})
    ]


def test_a_hold_the_tablet_sent_from_its_offline_queue_keeps_the_pads_stop_in_place(
    world: World, clock: Any
) -> None:
    """The tablet's clock is right; its hold, started at 09:00:10, waited 20 s in its
    offline queue and arrived at 09:00:30. The pad's stop at 09:00:31 ends the hold 21 s
    after it started: the wait is not read as the tablet's clock running 20 s behind."""
    start_hold(world, T0 + dt.timedelta(seconds=10), received=T0 + dt.timedelta(seconds=30))
    now = T0 + dt.timedelta(seconds=31)
    clock.move_to(now)
    answer = tap(token_for(world), "pad-stop", "stop", now, now)
    assert answer.status_code == 200 and answer.json()["hold"] is False
    session = session_actions.session_queries.replayed(run_of_any(world.visit), load_default())
    assert [(h.start, h.end, h.ended_by) for h in session.holds] == [
        (T0 + dt.timedelta(seconds=10), T0 + dt.timedelta(seconds=31), "stop")
    ]
    stored = SessionEvent.objects.get(run__visit=world.visit, event_id="pad:pad-stop")
    assert stored.at == now  # on the session's clock, not 20 s earlier


def test_stop_from_the_pad_ends_the_hold(world: World, clock: Any) -> None:
    start_hold(world, T0 + dt.timedelta(seconds=10))
    clock.move_to(T0 + dt.timedelta(seconds=20))
    token = token_for(world)
    now = T0 + dt.timedelta(seconds=20)
    answer = tap(token, "pad-stop", "stop", now, now).json()
    assert answer["hold"] is False
    assert Browser().get(f"/pad/{token}/state").json()["hold"] is False


def test_a_tap_outside_any_hold_or_of_an_unknown_kind_is_refused_with_a_reason(
    world: World,
) -> None:
    token = token_for(world)
    outside = tap(token, "pad-2", "better", T0, T0)
    assert outside.status_code == 400
    assert outside.json()["detail"]
    unknown = tap(token, "pad-3", "lovely", T0, T0)
    assert unknown.status_code == 400 and "unknown feedback 'lovely'" in unknown.json()["detail"]
    assert feedback_rows(world.visit) == []


# ----------------------------------------------------------------------------- refused links
def test_an_altered_link_is_refused_with_a_message(world: World) -> None:
    token = token_for(world)
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for path in (f"/pad/{altered}/", f"/pad/{altered}/state", "/pad/not-a-token/"):
        response = Browser().get(path)
        assert response.status_code == 403
        assert "This feedback link is not valid" in response.content.decode()
        assert DAN_FAMILY_NAME not in response.content.decode()
    refused = tap(altered, "pad-4", "better", T0, T0)
    assert refused.status_code == 403 and "not valid" in refused.json()["detail"]
    # A token signed for another purpose (another salt) opens nothing either.
    other = signing.dumps([run_of(world.visit).pk, world.visit.pk, world.alice.pk])
    assert Browser().get(f"/pad/{other}/").status_code == 403


def test_an_expired_link_is_refused(world: World, clock: Any) -> None:
    token = token_for(world)
    clock.move_to(T0 + dt.timedelta(hours=pad_tokens.PAD_HOURS, seconds=1))
    response = Browser().get(f"/pad/{token}/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "This feedback link has expired" in page and "4 hours" in page
    refused = tap(token, "pad-5", "better", T0, T0)
    assert refused.status_code == 403 and "expired" in refused.json()["detail"]
    assert feedback_rows(world.visit) == []


def test_the_link_is_refused_once_the_session_has_ended(world: World, clock: Any) -> None:
    token = token_for(world)
    clock.move_to(T0 + dt.timedelta(seconds=30))
    session_actions.end_session(
        Context(user=world.alice, now=T0 + dt.timedelta(seconds=30)), world.visit
    )
    for path in (f"/pad/{token}/", f"/pad/{token}/state"):
        response = Browser().get(path)
        assert response.status_code == 403
        assert "This session has ended" in response.content.decode()
    refused = tap(token, "pad-6", "stop", T0, T0)
    assert refused.status_code == 403 and "ended" in refused.json()["detail"]
    assert feedback_rows(world.visit) == []


def hilltop_visit(world: World) -> Visit:
    """A Hilltop client of bob's, with a plan and an open session at its first point."""
    ctx = Context(user=world.bob, via="cli")
    client = client_actions.create_client(
        ctx, client_actions.ClientData("Hana", "Brightwater", dt.date(1970, 1, 1), **CONSENT)
    )
    intake = client_actions.record_intake(
        ctx,
        client,
        client_actions.IntakeData(complaint="Sore back after rowing", pain_drawing=LOW_BACK),
    )
    visit = visit_actions.start_visit(ctx, client, intake)
    record_findings(ctx, visit)
    visit_actions.propose_plan(ctx, visit)
    session_actions.start_session(ctx, visit)
    return visit


def test_a_link_of_clinic_a_opens_nothing_of_clinic_b(world: World, clock: Any) -> None:
    theirs = hilltop_visit(world)
    start_hold(world, T0 + dt.timedelta(seconds=5))
    clock.move_to(T0 + dt.timedelta(seconds=8))
    now = T0 + dt.timedelta(seconds=8)
    ours = token_for(world)
    # Alice's link writes into Dan's session only.
    assert tap(ours, "pad-a", "better", now, now).status_code == 200
    assert [r[0] for r in feedback_rows(world.visit)] == ["pad:pad-a"]
    assert feedback_rows(theirs) == []
    page = Browser().get(f"/pad/{ours}/").content.decode()
    assert "Brightwater" not in page and "rowing" not in page
    # A correctly signed token naming Alice's run under Hilltop's visit opens nothing.
    crossed = signing.dumps(
        [run_of(world.visit).pk, theirs.pk, world.alice.pk], salt=pad_tokens.SALT, compress=True
    )
    refused = Browser().get(f"/pad/{crossed}/")
    assert refused.status_code == 403
    assert "belongs to no session of this visit" in refused.content.decode()
    # Nor does one naming Hilltop's run made in Alice's name, who may not act for Hilltop.
    borrowed = pad_tokens.make_token(run_of(theirs), world.alice)
    refused = Browser().get(f"/pad/{borrowed}/state")
    assert refused.status_code == 403 and "can no longer use it" in refused.json()["detail"]
    assert tap(borrowed, "pad-b", "better", now, now).status_code == 403
    assert feedback_rows(theirs) == []


def test_a_pad_tapping_faster_than_a_person_is_refused_and_nothing_is_stored(
    world: World, clock: Any
) -> None:
    """session.yaml's `pad_taps`: past its most taps in its window of the server's time
    the next tap is refused (429) with a message saying so, and no row is stored; a
    resent tap is still answered as recorded; taps later than the window go through."""
    limit = load_default().session_rules.pad_taps  # type: ignore[union-attr]
    assert limit is not None and (limit.most, limit.per_seconds) == (10, 5)
    start_hold(world, T0)
    clock.move_to(T0 + dt.timedelta(seconds=4))
    token = token_for(world)
    now = T0 + dt.timedelta(seconds=4)
    for i in range(limit.most):
        made = T0 + dt.timedelta(seconds=2, milliseconds=100 * i)
        assert tap(token, f"fast-{i}", "better", made, now).status_code == 200
    stored = feedback_rows(world.visit)
    assert len(stored) == limit.most
    refused = tap(token, "fast-10", "worse", T0 + dt.timedelta(seconds=3), now)
    assert refused.status_code == 429
    assert "too many taps: at most 10 in 5 seconds" in refused.json()["detail"]
    assert "not recorded" in refused.json()["detail"]
    assert feedback_rows(world.visit) == stored  # nothing half-saved
    # The same tap sent again (its answer was lost) is recorded once, not refused.
    again = tap(token, "fast-0", "better", T0 + dt.timedelta(seconds=2), now)
    assert again.status_code == 200 and feedback_rows(world.visit) == stored
    # Once the window has passed, the client may tap again.
    clock.move_to(T0 + dt.timedelta(seconds=9))
    later = T0 + dt.timedelta(seconds=9)
    assert tap(token, "slow-1", "worse", later, later).status_code == 200
    state = session_actions.session_queries.session_for(
        world.alice, world.visit, load_default(), later
    )
    assert state is not None and state.active is not None
    kinds = [f.kind for f in state.active.hold.feedback]
    assert kinds == ["better"] * limit.most + ["worse"]


def test_the_clients_stop_goes_through_even_past_the_tap_limit(world: World, clock: Any) -> None:
    """Ten quick taps use up the window; the next "worse" is refused, but the client's
    "stop" that follows is recorded and ends the hold at once, as the therapist then sees."""
    start_hold(world, T0)
    now = T0 + dt.timedelta(seconds=3)
    clock.move_to(now)
    token = token_for(world)
    for i in range(10):
        assert tap(token, f"burst-{i}", "too-much", now, now).status_code == 200
    assert tap(token, "burst-10", "worse", now, now).status_code == 429
    stopped = tap(token, "burst-stop", "stop", now, now)
    assert stopped.status_code == 200, stopped.content
    rows = feedback_rows(world.visit)
    assert len(rows) == 11 and rows[-1][0] == "pad:burst-stop"
    state = session_actions.session_queries.session_for(
        world.alice, world.visit, load_default(), now
    )
    assert state is not None and state.active is None
    assert state.record.holds[-1].ended_by == "stop"
    # With no hold running, more stops are counted like any tap: refused past the limit.
    again = [tap(token, f"late-stop-{i}", "stop", now, now).status_code for i in range(5)]
    assert again == [429] * 5
    assert len(feedback_rows(world.visit)) == 11


def test_taps_held_up_by_a_busy_server_go_through_up_to_the_burst_the_rule_allows(
    world: World, clock: Any
) -> None:
    """The tap rate is counted in the server's receive time. A busy server takes taps made
    and sent a second apart only after a stall, one after another: up to the rule's most
    (10) go through at once; the next within the window is refused. Each keeps the
    phone's own time beside its time on the session's clock."""
    start_hold(world, T0)
    token = token_for(world)
    made = [T0 + dt.timedelta(seconds=1 + i) for i in range(11)]
    answers = []
    for i, moment in enumerate(made):
        clock.move_to(T0 + dt.timedelta(seconds=14, milliseconds=100 * i))
        answers.append(tap(token, f"steady-{i}", "better", moment, moment).status_code)
    assert answers == [200] * 10 + [429]
    stored = SessionEvent.objects.filter(run__visit=world.visit, kind="feedback").order_by("id")
    assert [r.device_at for r in stored] == made[:10]
    # On the session's clock each tap is its receive time (the phone sent it at once).
    assert [r.at for r in stored] == [
        T0 + dt.timedelta(seconds=14, milliseconds=100 * i) for i in range(10)
    ]
    # Five seconds after the first of them on the server's clock, the pad taps again.
    clock.move_to(T0 + dt.timedelta(seconds=19, milliseconds=50))
    later = T0 + dt.timedelta(seconds=19, milliseconds=50)
    assert tap(token, "steady-late", "worse", later, later).status_code == 200


def test_taps_with_made_up_times_far_apart_are_still_limited(world: World, clock: Any) -> None:
    """A script sends 30 taps in one instant, each claiming a phone time 10 s after the
    last: the phone's word is not what is counted. The first 10 are recorded, the other
    20 refused with a message, and nothing of them is stored."""
    start_hold(world, T0)
    token = token_for(world)
    now = T0 + dt.timedelta(seconds=2)
    clock.move_to(now)
    answers = []
    for i in range(30):
        fake = T0 + dt.timedelta(seconds=10 * i)
        answers.append(tap(token, f"script-{i}", "better", fake, fake))
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 20
    assert "too many taps: at most 10 in 5 seconds" in answers[-1].json()["detail"]
    ids = [r[0] for r in feedback_rows(world.visit)]
    assert ids == [f"pad:script-{i}" for i in range(10)]
    written = AuditEvent.objects.filter(object_type="SessionRun", summary__contains="(feedback)")
    assert written.count() == 10  # one audited write per recorded tap, none for the refused


def test_guessing_the_short_code_is_refused_after_a_few_tries_and_each_is_audited(
    world: World, clock: Any
) -> None:
    """The short code is typed, so it can be guessed: past 20 refused codes from one
    address in 15 minutes, that address's codes are refused (429) for a while, even the
    right one, with a message saying when to try again; each refused code is audited,
    without the code. Another address, and the signed link, still open the pad."""
    code = pad_tokens.make_code(run_of(world.visit), world.alice, T0)
    guesser = Browser(REMOTE_ADDR="203.0.113.9")
    for i in range(pad_tokens.CODE_GUESSES):
        wrong = guesser.get(f"/pad/{'ABCDEFG' + pad_tokens.CODE_LETTERS[i]}/")
        assert wrong.status_code == 403 and "not valid" in wrong.content.decode()
    audited = AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, path="/pad/")
    assert audited.count() == pad_tokens.CODE_GUESSES
    assert {(e.ip, e.via, e.actor_id) for e in audited} == {("203.0.113.9", "pad", None)}
    assert all("ABCDEFG" not in e.summary for e in audited)
    blocked = guesser.get(f"/pad/{code}/")
    assert blocked.status_code == 429
    assert "Too many wrong feedback codes" in blocked.content.decode()
    assert "try again in 15 minutes" in blocked.content.decode()
    state = guesser.get(f"/pad/{code}/state")
    assert state.status_code == 429 and state.json()["refused"] is True
    assert audited.count() == pad_tokens.CODE_GUESSES  # a blocked lookup is not counted
    # Another phone, elsewhere, and the signed link from the same address, still open it.
    assert Browser(REMOTE_ADDR="198.51.100.7").get(f"/pad/{code}/").status_code == 200
    assert guesser.get(f"/pad/{token_for(world)}/").status_code == 200
    # Once the window has passed, the address may try a code again.
    clock.move_to(T0 + pad_tokens.CODE_WINDOW + dt.timedelta(seconds=1))
    assert guesser.get(f"/pad/{code}/").status_code == 200
