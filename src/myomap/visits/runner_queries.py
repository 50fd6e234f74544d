"""The guided session's plan as the runner shows it: the plan's points in order (the open
session's own points and order, should the plan have changed since it started), with
each point's names, dose, referral zones on the map, and what the visit's latest session
recorded on it. Read by the runner page (`session_views`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from myomap.core.kb import KnowledgeBase, load_default
from myomap.core.kb.clinical import TriggerPoint
from myomap.core.kb.patterns import PointSide, location_region, referral_pattern
from myomap.core.notes import point_name
from myomap.core.session.rules import session_rules
from myomap.core.session.steps import hold_steps
from myomap.visits.models import Visit
from myomap.visits.session_queries import SessionState


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
    longest: int | None  # the most it may be held at its pressure, s (None: not timed)
    zones: str  # its referral zones on the map: "region:essential region:spillover ..."
    region: str  # the map region where the point lies ("" for an unknown point)
    holds: int = 0  # holds recorded on it and finished, in the visit's latest session
    skipped: str | None = None  # why it was skipped there
    # The seconds into the hold where each pressure step after the first starts (a
    # stepped hold, session.yaml `pressure_steps`), the runner's cues; and why, cited.
    steps: tuple[int, ...] = ()
    steps_note: str = ""
    steps_sources: tuple[str, ...] = ()
    removed: bool = False  # taken out of the plan after the open session started

    @property
    def steps_citations(self) -> tuple[str, ...]:
        """The step rule's sources as a reader reads them ("Travell JG, Simons DG (1992)")."""
        kb = load_default()
        return tuple(cite(kb, s) for s in self.steps_sources)

    @property
    def steps_data(self) -> str:
        """The step starts as the page's script reads them ("7 13")."""
        return " ".join(str(s) for s in self.steps)


def cite(kb: KnowledgeBase, source_id: str) -> str:
    """A source's short citation: its authors (or title) and year, never its id alone."""
    source = kb.sources.get(source_id)
    if source is None:
        return source_id
    text = " ".join(str(source.citation).split())
    head = text.split(". ", 1)[0].split(": ", 1)[0].rstrip(".")
    return f"{head} ({source.year})" if source.year else head


def citations(kb: KnowledgeBase) -> dict[str, str]:
    """The short citation of each source the runner's suggestion may name (the repeated
    discomfort rule's), for the page's script."""
    rule = kb.session_rules.repeated_discomfort if kb.session_rules else None
    return {s: cite(kb, s) for s in (rule.sources if rule else ())}


def runner_points(visit: Visit) -> list[RunnerPoint]:
    """The visit's plan in order, with the names the runner shows."""
    kb = load_default()
    rules = session_rules(kb)
    points = []
    for number, step in enumerate(visit.plan_steps.all(), start=1):
        known = kb.trigger_points.get(step.trigger_point)
        technique = kb.techniques.get(step.technique)
        zones, region = on_the_map(kb, known, step.side)
        stepped = hold_steps(kb, step.technique, step.hold_seconds)
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
                longest=rules.longest(step.technique, step.pressure),
                zones=zones,
                region=region,
                steps=stepped.seconds if stepped else (),
                steps_note=stepped.note if stepped else "",
                steps_sources=stepped.sources if stepped else (),
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
    kept = [by_key[k] if k in by_key else _removed(*k) for k in keys]
    return [replace(p, number=n) for n, p in enumerate(kept, start=1)], True


def _removed(trigger_point: str, side: str) -> RunnerPoint:
    """A point of the open session that is no longer in the plan: shown, and said to be
    removed, without a technique or dose (its plan step is gone), so no hold starts."""
    kb = load_default()
    known = kb.trigger_points.get(trigger_point)
    zones, region = on_the_map(kb, known, side)
    return RunnerPoint(
        number=0,
        trigger_point=trigger_point,
        side=side,
        name=point_name(kb, trigger_point, side) if known else trigger_point,
        location=known.location.description if known else "",
        technique="",
        technique_name="removed from the plan after the session started",
        pressure="",
        hold_seconds=0,
        repetitions=1,
        longest=None,
        zones=zones,
        region=region,
        removed=True,
    )


def on_the_map(kb: KnowledgeBase, point: TriggerPoint | None, side: str) -> tuple[str, str]:
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


def runner_plan(visit: Visit, state: SessionState | None) -> tuple[list[RunnerPoint], bool]:
    """The points the runner shows, with the holds finished and the skips of the visit's
    latest session on each, and whether the plan changed since the open session started."""
    points = runner_points(visit)
    changed = False
    if state is not None and state.run.ended_at is None:
        points, changed = in_session_order(points, state.run.planned)
    if state is None:
        return points, changed
    recorded = state.record
    skipped = {(p.trigger_point, p.side): p.skipped for p in recorded.points}
    return [
        replace(
            p,
            holds=sum(h.end is not None for h in recorded.holds_on(p.trigger_point, p.side)),
            skipped=skipped.get((p.trigger_point, p.side)),
        )
        for p in points
    ], changed
