"""The therapist's session runner (`/visits/<id>/session/`): the plan's points in order,
for a tablet beside the table. Without JavaScript the page shows the plan and what the
visit's latest session recorded on each point (`session_queries`); its script
(`js/session.js`) runs the session through the JSON API (`/api/visits/<id>/session`),
whose state is the record: the page keeps no state of its own on the server.

Staff only (a client reads what was done in the signed note); another clinic's visit is
a 404. The page shows health data, so it is audited as a view."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.core.bodymap.svg import render_body_map
from myomap.core.kb import load_default
from myomap.core.session.events import PAD_ALERTS, RUNNER_BUTTONS
from myomap.core.session.rules import session_rules
from myomap.core.session.steps import hold_steps
from myomap.core.session.suggest import SUGGESTION_WORDS
from myomap.records.access import staff_required
from myomap.visits import queries, session_queries
from myomap.visits.runner_queries import citations, on_the_map, runner_plan
from myomap.visits.tabs import tab_context


@dataclass(frozen=True)
class Choice:
    """A trigger point or technique the therapist may add on the way."""

    id: str
    name: str
    data: dict[str, str]


@lru_cache(maxsize=4)
def _choices(kb_id: int) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
    """Every trigger point (its location, its referral zones on each side, and the words
    it is found by: its muscle's name and other names) and every timed technique (its
    usual hold, its longest at each pressure, and its pressure steps), for adding a point
    found on the way.
    The server checks an added point against the safety rules as it does a plan step."""
    kb = load_default()
    longest = session_rules(kb).longest_hold
    points = []
    for tp_id, tp in sorted(kb.trigger_points.items(), key=lambda item: item[1].name):
        zones = {side: on_the_map(kb, tp, side)[0] for side in ("left", "right", "bilateral")}
        data = {"location": tp.location.description} | {f"zones_{k}": v for k, v in zones.items()}
        muscle = kb.muscles.get(tp.muscle)
        data["search"] = " ".join((muscle.name, *muscle.aliases)) if muscle else ""
        points.append(Choice(tp_id, tp.name, data))
    techniques = []
    for t_id, t in kb.techniques.items():
        by_pressure = longest.get(t_id)
        if not by_pressure:
            continue
        stepped = hold_steps(kb, t_id, t.dose.hold)
        steps = " ".join(str(s) for s in stepped.seconds) if stepped else ""
        # The pressure is chosen beside the technique: the page picks the limit at the
        # pressure chosen ("light:90 moderate:90 deep:60"; the server's state then gives
        # the hold's own).
        longest_at = " ".join(f"{p}:{s}" for p, s in by_pressure.items())
        data = {"hold": str(t.dose.hold), "longest": longest_at, "steps": steps}
        techniques.append(Choice(t_id, t.name, data))
    return tuple(points), tuple(techniques)


@lru_cache(maxsize=64)
def _map(kb_id: int, markers: tuple[tuple[str, str], ...]) -> SafeString:
    """The body map with each planned point marked by its number; the page's script
    shows the current point's marker and referral zones. Drawn once per plan."""
    kb = load_default()
    names = {region_id: region.name for region_id, region in kb.regions.items()}
    svg = render_body_map(
        names, markers=markers, interactive=False, title="The current point and its referral"
    )
    return mark_safe(svg)  # the renderer escapes every name and label it writes


@require_GET
@staff_required
def session_runner(request: HttpRequest, pk: int) -> HttpResponse:
    visit = queries.visit_for(request.user, pk)
    kb = load_default()
    ctx = Context.of(request)
    state = session_queries.session_for(request.user, visit, kb, ctx.now)
    points, changed = runner_plan(visit, state)
    markers = tuple((p.region, str(p.number)) for p in points if p.region)
    choices, techniques = _choices(id(kb))
    context = {
        **tab_context(visit),
        "points": points,
        "choices": choices,
        "techniques": techniques,
        "map": _map(id(kb), markers) if markers else None,
        "recorded": state.record if state is not None else None,
        "waiting": queries.planning_waits(visit),
        "plan_changed": changed,
        "feedback_buttons": RUNNER_BUTTONS,
        "pad_alerts": PAD_ALERTS,
        "suggestion_words": SUGGESTION_WORDS,
        "citations": citations(kb),
    }
    record(ctx, AuditEvent.Action.VIEW, visit, summary="session runner")
    return render(request, "visits/session.html", context)
