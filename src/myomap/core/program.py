"""The client's home program: which exercises, in which order and dose, from a visit's
findings and the trigger points treated, within what the client's screening allows.

Pure: plain data in (the knowledge base, finding ids, the points treated, the ids of the
client's contraindications), plain data out. Every number (the default size of a
program, the dose bounds, the self-release hold) and every exclusion (no self-pressure
with a blood thinner) comes from the knowledge base's `home_program` entry with its
sources, never from here.

Example: a visit that found tight hip flexors and weak glutes, with the left deep
quadratus lumborum point found active and treated, gives the ball release for
quadratus lumborum (left, 20 s holds) first, then the kneeling hip flexor stretch and
the glute bridge; for a client on anticoagulants the ball release is left out with the
reason "No self-pressure with a ball or the hands: blood-thinning medicine ...".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from myomap.core.kb.homecare import HomeProgramRules
from myomap.core.kb.loader import KnowledgeBase

SELF_CARE = ("stretch", "self-release")
SELF_RELEASE = "self-release"
PAIN_SCALE = (0, 10)  # the 0-10 numeric rating scale the client logs pain on
DOSE_FIELDS = ("sets", "repetitions", "hold_seconds", "days_per_week")
DOSE_WORDS = {
    "sets": "sets",
    "repetitions": "repetitions",
    "hold_seconds": "hold (seconds)",
    "days_per_week": "days a week",
}


@dataclass(frozen=True)
class TreatedPoint:
    """A trigger point of the visit: `active` when it reproduced the client's familiar
    pain, `treated` when the visit's plan worked on it."""

    trigger_point: str
    side: str
    active: bool
    treated: bool


@dataclass(frozen=True)
class Dose:
    sets: int
    repetitions: int
    hold_seconds: int
    days_per_week: int


@dataclass(frozen=True)
class Item:
    """One exercise of a program. `trigger_point` and `side` are set for the self-release
    of one of the client's own points; `why` says why it was chosen, in words."""

    exercise: str
    dose: Dose
    why: str
    trigger_point: str | None = None
    side: str | None = None


@dataclass(frozen=True)
class Program:
    items: tuple[Item, ...]
    left_out: tuple[tuple[str, str], ...]  # (exercise id, why), the screening's refusals


def rules(kb: KnowledgeBase) -> HomeProgramRules:
    found = kb.home_program
    if found is None:
        raise ValueError("the knowledge base has no home_program entry")
    return found


def usual_dose(kb: KnowledgeBase, exercise: str) -> Dose:
    """Where a new item starts: the knowledge base's usual dose; a self-release its
    usual hold."""
    r = rules(kb)
    hold = r.dose.hold_seconds.usual or 0
    if kb.exercises[exercise].category == SELF_RELEASE:
        hold = r.self_release_hold_seconds.usual or hold
    return Dose(
        sets=r.dose.sets.usual or r.dose.sets.low,
        repetitions=r.dose.repetitions.usual or r.dose.repetitions.low,
        hold_seconds=hold,
        days_per_week=r.dose.days_per_week.usual or r.dose.days_per_week.high,
    )


def check_dose(kb: KnowledgeBase, exercise: str, dose: Mapping[str, int]) -> list[tuple[str, str]]:
    """Every field of `dose` outside the knowledge base's bounds, as (field, message); a
    self-release's hold within its own 10-30 s range."""
    r = rules(kb)
    problems: list[tuple[str, str]] = []
    for name in DOSE_FIELDS:
        span = getattr(r.dose, name)
        low, high = span.low, span.high
        if name == "hold_seconds" and kb.exercises[exercise].category == SELF_RELEASE:
            low, high = r.self_release_hold_seconds.low, r.self_release_hold_seconds.high
        value = dose.get(name)
        if value is None or not low <= value <= high:
            problems.append((name, f"{DOSE_WORDS[name]} must be {low} to {high}"))
    return problems


def refusals(kb: KnowledgeBase, contraindications: Iterable[str]) -> dict[str, str]:
    """The exercises the client's contraindications rule out at home, with the reason
    and the condition it comes from (the knowledge base's `exclusions`)."""
    have = set(contraindications)
    out: dict[str, str] = {}
    for exclusion in rules(kb).exclusions:
        if exclusion.contraindication not in have:
            continue
        name = kb.contraindications[exclusion.contraindication].name
        for eid, ex in kb.exercises.items():
            if ex.category in exclusion.categories and eid not in out:
                out[eid] = f"{exclusion.reason} ({name})"
    return out


def refusal(kb: KnowledgeBase, exercise: str, contraindications: Iterable[str]) -> str | None:
    """Why this client may not do `exercise` at home, or None when they may."""
    return refusals(kb, contraindications).get(exercise)


def self_release_for(kb: KnowledgeBase, trigger_point: str) -> str | None:
    """The self-release exercise for a trigger point's muscle: the one whose main muscle
    it is first, else one that lists it; None when the knowledge base has none."""
    muscle = kb.trigger_points[trigger_point].muscle
    found = [
        (ex.muscles.index(muscle), i, eid)
        for i, (eid, ex) in enumerate(kb.exercises.items())
        if ex.category == SELF_RELEASE and muscle in ex.muscles
    ]
    return min(found)[2] if found else None


def build_program(
    kb: KnowledgeBase,
    findings: Sequence[str],
    points: Sequence[TreatedPoint],
    contraindications: Iterable[str],
    limit: int | None = None,
) -> Program:
    """A program from a visit: a self-release for each point found active and treated
    (one per exercise and side), then the exercises addressing the findings and the
    treated muscles (`suggest_exercises`), at most `limit` (the knowledge base's
    `max_exercises` by default); nothing the contraindications rule out (`left_out`
    says what was left out and why)."""
    cap = rules(kb).max_exercises.value if limit is None else limit
    refused = refusals(kb, contraindications)
    items: list[Item] = []
    left_out: dict[str, str] = {}
    seen: set[tuple[str, str | None]] = set()
    for p in points:
        if not (p.active and p.treated) or p.trigger_point not in kb.trigger_points:
            continue
        eid = self_release_for(kb, p.trigger_point)
        if eid is None or (eid, p.side) in seen:
            continue
        if eid in refused:
            left_out.setdefault(eid, refused[eid])
            continue
        seen.add((eid, p.side))
        point = kb.trigger_points[p.trigger_point]
        why = f"Self-release of your {point.name} point ({p.side}), found active and treated"
        items.append(Item(eid, usual_dose(kb, eid), why, p.trigger_point, p.side))
    muscles = [
        kb.trigger_points[p.trigger_point].muscle
        for p in points
        if p.treated and p.trigger_point in kb.trigger_points
    ]
    chosen = {i.exercise for i in items}
    for eid in suggest_exercises(kb, findings, muscles, limit=len(kb.exercises)):
        if eid in chosen:
            continue
        if eid in refused:
            left_out.setdefault(eid, refused[eid])
            continue
        ex = kb.exercises[eid]
        addressed = [kb.findings[f].name for f in findings if f in ex.addresses]
        why = f"For {_join(addressed).lower()}" if addressed else "For the muscles treated"
        items.append(Item(eid, usual_dose(kb, eid), why))
        chosen.add(eid)
    return Program(items=tuple(items[: max(cap, 0)]), left_out=tuple(left_out.items()))


def _join(words: Sequence[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def suggest_exercises(
    kb: KnowledgeBase, finding_ids: Iterable[str], muscles: Iterable[str], limit: int = 4
) -> tuple[str, ...]:
    """Exercise ids: first those addressing the findings, chosen so that every finding
    gets one before any gets a second (an exercise covering more of the findings still
    uncovered wins); then stretches and self-release for the treated muscles (an exercise
    whose main muscle is one of them first)."""
    findings, muscle_ids = list(dict.fromkeys(finding_ids)), list(dict.fromkeys(muscles))
    unknown = [f"finding {f!r}" for f in findings if f not in kb.findings]
    unknown += [f"muscle {m!r}" for m in muscle_ids if m not in kb.muscles]
    if unknown:
        raise ValueError(f"unknown {', '.join(unknown)}")
    order = {eid: i for i, eid in enumerate(kb.exercises)}
    pool = {eid: ex for eid, ex in kb.exercises.items() if set(ex.addresses) & set(findings)}
    chosen: list[str] = []
    uncovered = list(findings)
    while pool and len(chosen) < limit:
        uncovered = uncovered or list(findings)
        best = min(
            pool,
            key=lambda e: (
                -sum(1 for f in uncovered if f in pool[e].addresses),
                min(findings.index(f) for f in pool[e].addresses if f in findings),
                order[e],
            ),
        )
        done = pool.pop(best).addresses
        uncovered = [f for f in uncovered if f not in done]
        chosen.append(best)
    by_muscle: list[tuple[int, int, int, str]] = []
    for index, (eid, ex) in enumerate(kb.exercises.items()):
        worked = [m for m in ex.muscles if m in muscle_ids]
        if worked and ex.category in SELF_CARE and eid not in chosen:
            first = min(muscle_ids.index(m) for m in worked)
            by_muscle.append((ex.muscles.index(worked[0]), first, index, eid))
    chosen += [eid for *_, eid in sorted(by_muscle)]
    return tuple(chosen[: max(limit, 0)])


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def next_reminder(days: Sequence[int], at: dt.time, now: dt.datetime) -> dt.datetime | None:
    """The next moment after `now` on one of `days` (0 Monday ... 6 Sunday) at `at`, in
    `now`'s own clock (the caller passes local time, naive or aware); None without days.

    Example: days (0, 3) at 07:30 from Wednesday 08:00 is Thursday 07:30; from Thursday
    07:29 the same Thursday, from Thursday 07:30 the next Monday."""
    if not days:
        return None
    for ahead in range(8):
        day = now.date() + dt.timedelta(days=ahead)
        if day.weekday() in days:
            moment = dt.datetime.combine(day, at, tzinfo=now.tzinfo)
            if moment > now:
                return moment
    return None  # unreachable: within eight days every weekday comes round
