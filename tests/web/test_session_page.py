"""The session runner page (`/visits/<id>/session/`): the plan's points in order for the
clinic's therapist, with the runner's controls and its shortcuts, and a plain notice that
the runner needs JavaScript; another clinic's therapist gets the same 404 as for no such
visit, a client's own login is refused, a signed visit's runner is read-only.

The world is tests/web/records_fixtures.py's (Dan Marlowe's record at Lakeside)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from records_fixtures import DAN_FAMILY_NAME, World, build_world

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.core.kb import load_default
from myomap.core.notes import point_name
from myomap.visits import session_actions
from myomap.visits.models import PlanStep, SessionRun, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    """The shared world, its planned visit's session not started yet."""
    world = build_world()
    SessionRun.objects.filter(visit=world.visit).delete()
    return world


def url(visit: Visit) -> str:
    return f"/visits/{visit.pk}/session/"


def plan_names(visit: Visit) -> list[str]:
    kb = load_default()
    return [point_name(kb, s.trigger_point, s.side) for s in visit.plan_steps.all()]


def plan_items(page: str) -> list[str]:
    """The names in the page's plan list, in their order."""
    listed = re.search(r'<ol class="session-plan" id="session-plan">(.*?)</ol>', page, re.S)
    assert listed, "the page has no plan list"
    names = re.findall(r"<li [^>]*>\s*<button [^>]*><strong>(.*?)</strong>", listed[1])
    return [html.unescape(n) for n in names]


def test_alice_sees_the_plan_in_order_with_the_runner_and_its_shortcuts(world: World) -> None:
    names = plan_names(world.visit)
    assert len(names) >= 1
    response = world.web("alice").get(url(world.visit))
    page = response.content.decode()
    assert response.status_code == 200
    assert plan_items(page) == names
    step = world.visit.plan_steps.first()
    assert step is not None
    assert f'data-point="{step.trigger_point}"' in page
    assert f'data-hold="{step.hold_seconds}"' in page
    # The runner, its API, the big buttons, the feedback and the shortcuts listed.
    assert f'data-api="/api/visits/{world.visit.pk}/session"' in page
    for label in ("Start hold", "Release", "Stop", "Next point", "Previous point"):
        assert label in page
    for feedback in ("Too much", "Too little", "Better", "Worse", "Released"):
        assert feedback in page
    assert "Referral reproduced" in page
    assert "Keyboard shortcuts" in page and "<kbd>Esc</kbd>" in page
    assert "The session runner needs JavaScript" in page
    assert 'id="tender-before"' in page and 'id="tender-after"' in page
    assert 'data-read-only="false"' in page
    # The map, with each point's referral zones for the script to show.
    kb = load_default()
    point = kb.trigger_points[step.trigger_point]
    essential = next(z.region for z in point.zones if z.kind == "essential")
    assert 'id="session-map"' in page and 'class="myomap-bodymap"' in page
    assert re.search(rf'data-zones="[^"]*\b{re.escape(essential)}[\w-]*:essential', page)
    assert "/static/myomap/js/session.js" in page and "/static/myomap/css/session.css" in page
    # The tab is in the visit's navigation, current here; the view is audited.
    assert f'<a href="/visits/{world.visit.pk}/session/" aria-current="page">3. Session</a>' in page
    seen = AuditEvent.objects.filter(
        actor=world.alice, action=AuditEvent.Action.VIEW, summary="session runner"
    )
    assert seen.count() == 1
    assert seen.get().client_id == world.client.pk


def test_the_other_tabs_link_to_the_runner_for_staff_only(world: World) -> None:
    link = f'href="/visits/{world.visit.pk}/session/"'
    plan = world.web("alice").get(f"/visits/{world.visit.pk}/plan/").content.decode()
    assert link in plan
    # the steps in their order, numbered without a gap: the session is the third
    assert plan.index("1. Assessment") < plan.index("2. Plan") < plan.index("3. Session")
    assert plan.index("3. Session") < plan.index("4. Note")
    signed = world.web("dan").get(f"/visits/{world.signed_visit.pk}/note/").content.decode()
    assert "3. Note" in signed
    assert f'href="/visits/{world.signed_visit.pk}/session/"' not in signed


def test_bob_of_another_clinic_gets_the_same_404_as_for_no_visit(world: World) -> None:
    response = world.web("bob").get(url(world.visit))
    missing = world.web("bob").get("/visits/987654/session/")
    assert response.status_code == missing.status_code == 404
    page = response.content.decode()
    assert DAN_FAMILY_NAME not in page
    for name in plan_names(world.visit):
        assert name not in page
    assert not AuditEvent.objects.filter(actor=world.bob, summary="session runner").exists()


def test_dan_with_his_own_login_is_refused_and_sees_nothing_of_the_plan(world: World) -> None:
    response = world.web("dan").get(url(world.visit))
    assert response.status_code == 403
    page = response.content.decode()
    for name in plan_names(world.visit):
        assert name not in page
    assert "session-plan" not in page


def test_anyone_signed_out_is_asked_to_sign_in(world: World) -> None:
    response = world.web("anonymous").get(url(world.visit))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_signed_visit_says_its_session_is_read_only(world: World) -> None:
    response = world.web("alice").get(url(world.signed_visit))
    page = response.content.decode()
    assert response.status_code == 200
    assert "this session is read-only" in page
    assert 'data-read-only="true"' in page
    # The plan is still shown, in order.
    assert plan_items(page) == plan_names(world.signed_visit)


def test_a_visit_without_a_plan_says_to_make_one_first(world: World) -> None:
    response = world.web("alice").get(url(world.empty_visit))
    page = response.content.decode()
    assert response.status_code == 200
    assert "No plan yet" in page
    assert 'id="runner"' not in page
    assert "session.js" not in page


def test_what_the_session_recorded_is_on_each_point_of_the_plan(world: World) -> None:
    """Shown from the server's record (also without JavaScript): the holds done on a
    point, and why a point was skipped."""
    ctx = Context(user=world.alice, via="cli")
    session_actions.start_session(ctx, world.visit)
    first, second = list(world.visit.plan_steps.all())[:2]
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    def event(n: int, kind: str, seconds: int, **fields: object) -> session_actions.EventData:
        return session_actions.EventData(f"e{n}", kind, at + dt.timedelta(seconds=seconds), fields)

    session_actions.record_events(
        ctx,
        world.visit,
        [
            event(1, "go-to-point", 0, trigger_point=first.trigger_point, side=first.side),
            event(2, "start-hold", 1, technique=first.technique, pressure=first.pressure),
            event(3, "release-hold", 20),
            event(
                4,
                "skip-point",
                21,
                trigger_point=second.trigger_point,
                side=second.side,
                reason="client declined",
            ),
        ],
    )
    page = world.web("alice").get(url(world.visit)).content.decode()
    items = re.findall(r'<li id="point-\d+"([^>]*)>(.*?)</li>', page, re.S)
    assert "✓ 1 hold<" in items[0][1] and "is-skipped" not in items[0][0]
    assert 'class="is-skipped"' in items[1][0]
    assert "skipped: client declined" in items[1][1]
    assert "is running: 1 hold recorded." in page


def test_an_open_session_keeps_the_points_it_started_with(world: World) -> None:
    """The plan edited after the start: the runner follows the session's points (the ones
    its events may name), in its order, and says the plan changed."""
    session_actions.start_session(Context(user=world.alice, via="cli"), world.visit)
    started_with = plan_names(world.visit)
    first, second, *rest = list(world.visit.plan_steps.all())
    # After the start: the first two points change places, the last leaves the plan.
    first_order, second_order = first.order, second.order
    PlanStep.objects.filter(pk=first.pk).update(order=999)
    PlanStep.objects.filter(pk=second.pk).update(order=first_order)
    PlanStep.objects.filter(pk=first.pk).update(order=second_order)
    rest[-1].delete()
    assert plan_names(world.visit)[:2] == [started_with[1], started_with[0]]
    page = world.web("alice").get(url(world.visit)).content.decode()
    assert "The plan changed after this session started" in page
    # The point taken out is still shown, in its place, and said to be removed.
    assert plan_items(page) == started_with
    items = re.findall(r'<li id="point-\d+"[^>]*>.*?</li>', page, re.S)
    assert "Removed from the plan after the session started" in items[-1]
    assert 'class=" is-removed"' in items[-1] and 'data-longest=""' in items[-1]
    assert all("Removed from the plan" not in item for item in items[:-1])

    ctx = Context(user=world.alice, via="cli")
    session_actions.end_session(ctx, world.visit)
    page = world.web("alice").get(url(world.visit)).content.decode()
    assert "The plan changed" not in page


def test_a_stepped_hold_carries_its_pressure_steps_from_the_knowledge_base(world: World) -> None:
    """Ischemic compression is held in three pressure steps (session.yaml, with its
    sources): each planned point of it carries the seconds its steps start at, for the
    runner's cues, and says so with the sources; a technique without steps carries none."""
    kb = load_default()
    steps = list(world.visit.plan_steps.all())
    stepped = [s for s in steps if s.technique == "ischemic-compression"]
    assert stepped, "the world's plan has an ischemic compression step"
    page = world.web("alice").get(url(world.visit)).content.decode()
    items = re.findall(r'<li id="point-\d+"[^>]*>', page)
    assert len(items) == len(steps)
    rule = kb.session_rules.pressure_steps[0] if kb.session_rules else None
    assert rule is not None and rule.technique == "ischemic-compression" and rule.steps == 3
    for step, item in zip(steps, items, strict=True):
        if step.technique == "ischemic-compression":
            hold = step.hold_seconds
            want = " ".join(str((2 * hold * k + 3) // 6) for k in (1, 2))
            assert f'data-steps="{want}"' in item
        else:
            assert 'data-steps=""' in item
    first = stepped[0]
    assert first.hold_seconds == 30
    assert "In 3 pressure steps: a cue at 10 s and 20 s" in page
    assert "szajkowski-2025" not in page  # a source as a reader reads it, not its id
    assert "Sources: Szajkowski" in page
    # A point added on the way with the technique: its usual hold's steps.
    usual = kb.techniques["ischemic-compression"].dose.hold
    option = re.search(r'<option value="ischemic-compression"[^>]*>', page)
    assert option is not None
    want = " ".join(str((2 * usual * k + 3) // 6) for k in (1, 2))
    assert f'data-steps="{want}"' in option[0]


def test_each_planned_point_carries_the_longest_hold_at_its_own_pressure(world: World) -> None:
    """Ischemic compression may be held 90 s at moderate pressure, 60 s at deep
    (session.yaml, Hou 2002): the runner's timer stops each planned point at the limit of
    its step's pressure. A point added on the way has its pressure chosen beside the
    technique, so its technique carries its limit at each pressure, the page picking the
    one chosen."""
    stepped = [s for s in world.visit.plan_steps.all() if s.technique == "ischemic-compression"]
    assert len(stepped) >= 2, "the world's plan has two ischemic compression steps"
    deep, moderate = stepped[0], stepped[1]
    PlanStep.objects.filter(pk=deep.pk).update(pressure="deep")
    PlanStep.objects.filter(pk=moderate.pk).update(pressure="moderate")
    page = world.web("alice").get(url(world.visit)).content.decode()
    items = {
        (m[1], m[2]): m[0]
        for m in re.finditer(
            r'<li id="point-\d+"[^>]*data-point="([^"]+)" data-side="([^"]+)"[^>]*>', page
        )
    }
    deep_item = items[(deep.trigger_point, deep.side)]
    moderate_item = items[(moderate.trigger_point, moderate.side)]
    assert 'data-pressure="deep"' in deep_item and 'data-longest="60"' in deep_item
    assert 'data-pressure="moderate"' in moderate_item and 'data-longest="90"' in moderate_item
    option = re.search(r'<option value="ischemic-compression"[^>]*>', page)
    assert option is not None and 'data-longest="light:90 moderate:90 deep:60"' in option[0]


def test_the_runner_the_pad_and_the_note_name_the_feedback_from_one_list(world: World) -> None:
    """The feedback's labels are written once (core.session.events.FEEDBACK_LABELS): the
    runner's buttons with their shortcuts and words (its "Client said stop" told apart from
    the therapist's own Stop), the client's pad and the link page."""
    from myomap.core.session.events import (
        FEEDBACK,
        FEEDBACK_BUTTONS,
        FEEDBACK_WORDS,
        RUNNER_BUTTONS,
    )
    from myomap.visits import pad_tokens

    assert [kind for kind, _ in FEEDBACK_BUTTONS] == list(FEEDBACK) == list(FEEDBACK_WORDS)
    page = world.web("alice").get(url(world.visit)).content.decode()
    buttons = re.findall(
        r'data-feedback="([^"]+)" data-words="([^"]+)" aria-keyshortcuts="(\d)">'
        r"<kbd>\d</kbd> ([^<]+)</button>",
        page,
    )
    assert buttons == [
        (kind, label.lower(), str(n), label) for n, (kind, label) in enumerate(RUNNER_BUTTONS, 1)
    ]
    assert [k for k, _ in RUNNER_BUTTONS] == [k for k, _ in FEEDBACK_BUTTONS]
    assert dict(RUNNER_BUTTONS)["stop"] == "Client said stop"
    said = ", ".join(label.lower() for _, label in RUNNER_BUTTONS)
    assert f"<kbd>1</kbd>\u2013<kbd>{len(FEEDBACK)}</kbd></dt><dd>Feedback: {said}</dd>" in page
    words = ", ".join(label.lower() for _, label in FEEDBACK_BUTTONS)
    ctx = Context(user=world.alice, via="cli")
    session_actions.start_session(ctx, world.visit)
    link_page = world.web("alice").get(f"{url(world.visit)}pad/").content.decode()
    assert f"to tap feedback during the session: {words}." in link_page
    run = SessionRun.objects.get(visit=world.visit)
    pad = (
        world.web("anonymous")
        .get(f"/pad/{pad_tokens.make_token(run, world.alice)}/")
        .content.decode()
    )
    assert re.findall(r'data-kind="([^"]+)"[^>]*>([^<]+)</button>', pad) == list(FEEDBACK_BUTTONS)


def test_the_pad_alerts_words_come_from_the_server(world: World) -> None:
    """The banner's words for the client's stop, too much and worse from their phone are
    the server's (core.session.events.PAD_ALERTS), given to the page as data: the runner's
    script holds none of that advice."""
    import json
    from pathlib import Path

    from myomap.core.session.events import PAD_ALERTS

    page = world.web("alice").get(url(world.visit)).content.decode()
    found = re.search(r'<script id="runner-alerts" type="application/json">(.*?)</script>', page)
    assert found is not None
    assert json.loads(found[1]) == PAD_ALERTS
    assert "Ease the pressure" in PAD_ALERTS["too-much"]
    script = Path(__file__).resolve().parents[2] / "src/myomap/web/static/myomap/js/session.js"
    text = script.read_text()
    assert all(words not in text for words in PAD_ALERTS.values())
    assert "Ease" not in text
    from myomap.core.session.suggest import SUGGESTION_WORDS

    found = re.search(
        r'<script id="runner-suggestion-words" type="application/json">(.*?)</script>', page
    )
    assert found is not None and json.loads(found[1]) == SUGGESTION_WORDS
    assert all(words not in text for words in SUGGESTION_WORDS.values())
