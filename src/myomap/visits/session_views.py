"""The therapist's session runner (`/visits/<id>/session/`): the plan's points in order,
for a tablet beside the table. Without JavaScript the page shows the plan and what the
visit's latest session recorded on each point (`session_queries`); its script
(`js/session.js`) runs the session through the JSON API (`/api/visits/<id>/session`),
whose state is the record: the page keeps no state of its own on the server.

Staff only (a client reads what was done in the signed note); another clinic's visit is
a 404. The page shows health data, so it is audited as a view."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.core.bodymap.svg import render_body_map
from myomap.core.kb import KnowledgeBase, load_default
from myomap.core.kb.clinical import TriggerPoint
from myomap.core.kb.patterns import PointSide, location_region, referral_pattern
from myomap.core.notes import point_name
from myomap.core.session.rules import session_rules
from myomap.records.access import staff_required
from myomap.visits import queries, session_queries
from myomap.visits.models import Visit
from myomap.visits.views import _base


@dataclass(frozen=True)
class RunnerPoint:
    """One planned point as the runner shows it and its script reads it."""

    number: int
    trigger_point: str
    side: str
    name: str
    location: str
    technique: str
    technique_name: str
    pressure: str
    hold_seconds: int
    repetitions: int
    longest: int | None  # the most the technique may be held, s (None: not a timed hold)
    zones: str  # its referral zones on the map: "region:essential region:spillover ..."
    region: str  # the map region where the point lies ("" for an unknown point)
    holds: int = 0  # holds recorded on it and finished, in the visit's latest session
    skipped: str | None = None  # why it was skipped there


def runner_points(visit: Visit) -> list[RunnerPoint]:
    """The visit's plan in order, with the names the runner shows."""
    kb = load_default()
    longest = session_rules(kb).longest_hold
    points = []
    for number, step in enumerate(visit.plan_steps.all(), start=1):
        known = kb.trigger_points.get(step.trigger_point)
        technique = kb.techniques.get(step.technique)
        zones, region = _on_the_map(kb, known, step.side)
        points.append(
            RunnerPoint(
                number=number,
                trigger_point=step.trigger_point,
                side=step.side,
                name=point_name(kb, step.trigger_point, step.side) if known else step.trigger_point,
                location=known.location.description if known else "",
                technique=step.technique,
                technique_name=technique.name if technique else step.technique,
                pressure=step.pressure,
                hold_seconds=step.hold_seconds,
                repetitions=step.repetitions,
                longest=longest.get(step.technique),
                zones=zones,
                region=region,
            )
        )
    return points


def in_session_order(
    points: list[RunnerPoint], planned: list[list[str]]
) -> tuple[list[RunnerPoint], bool]:
    """The plan's points as the open session planned them when it started (its points, in
    its order: the events name those), and whether the plan has changed since."""
    by_key = {(p.trigger_point, p.side): p for p in points}
    keys = [(tp, side) for tp, side in planned]
    if keys == list(by_key):
        return points, False
    kept = [by_key[k] for k in keys if k in by_key]
    return [replace(p, number=n) for n, p in enumerate(kept, start=1)], True


def _on_the_map(kb: KnowledgeBase, point: TriggerPoint | None, side: str) -> tuple[str, str]:
    """The point's referral zones on the client's side ("region:kind ...", both sides for
    a bilateral step; a midline point's regions are the midline's), and where it lies."""
    if point is None:
        return "", ""
    both: tuple[PointSide, ...] = ("left", "right")
    sides = {"right": both[1:], "bilateral": both}.get(side, both[:1])
    zones: dict[str, str] = {}
    for one in sides:
        for region, kind in referral_pattern(kb, point, one).items():
            if zones.get(region) != "essential":
                zones[region] = kind
    words = " ".join(f"{region}:{kind}" for region, kind in zones.items())
    return words, location_region(kb, point, sides[0])


@dataclass(frozen=True)
class Choice:
    """A trigger point or technique the therapist may add on the way."""

    id: str
    name: str
    data: dict[str, str]


@lru_cache(maxsize=4)
def _choices(kb_id: int) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
    """Every trigger point (its location and referral zones on each side) and every timed
    technique (its usual and longest hold), for adding a point found on the way. The
    server checks an added point against the safety rules as it does a plan step."""
    kb = load_default()
    longest = session_rules(kb).longest_hold
    points = []
    for tp_id, tp in sorted(kb.trigger_points.items(), key=lambda item: item[1].name):
        zones = {side: _on_the_map(kb, tp, side)[0] for side in ("left", "right", "bilateral")}
        data = {"location": tp.location.description} | {f"zones_{k}": v for k, v in zones.items()}
        points.append(Choice(tp_id, tp.name, data))
    techniques = [
        Choice(t_id, t.name, {"hold": str(t.dose.hold), "longest": str(longest[t_id])})
        for t_id, t in kb.techniques.items()
        if longest.get(t_id)
    ]
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
    state = session_queries.session_for(request.user, visit, kb, timezone.now())
    points = runner_points(visit)
    changed = False
    if state is not None and state.run.ended_at is None:
        points, changed = in_session_order(points, state.run.planned)
    if state is not None:
        recorded = state.record
        skipped = {(p.trigger_point, p.side): p.skipped for p in recorded.points}
        points = [
            replace(
                p,
                holds=sum(h.end is not None for h in recorded.holds_on(p.trigger_point, p.side)),
                skipped=skipped.get((p.trigger_point, p.side)),
            )
            for p in points
        ]
    markers = tuple((p.region, str(p.number)) for p in points if p.region)
    choices, techniques = _choices(id(kb))
    context = {
        **_base(visit),
        "points": points,
        "choices": choices,
        "techniques": techniques,
        "map": _map(id(kb), markers) if markers else None,
        "recorded": state.record if state is not None else None,
        "waiting": queries.planning_waits(visit),
        "plan_changed": changed,
    }
    record(Context.of(request), AuditEvent.Action.VIEW, visit, summary="session runner")
    return render(request, "visits/session.html", context)
