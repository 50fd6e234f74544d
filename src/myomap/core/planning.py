"""The treatment plan: which trigger points to treat today, in what order, with which
technique, pressure and hold.

Order: points confirmed on palpation first (referral reproduced, then a tender spot in a
taut band, most tender first), then other tender points, then unpalpated candidates from
the pain drawing in score order. Palpated points that were not tender are left out with
the reason. The techniques, their order and their doses come from the knowledge base
(techniques.yaml: `plan_order` and `dose`): the first choice is ischemic compression,
steady, moderate pressure held until the point releases (10-30 s), guided by the
client's feedback (too much, too little, better, worse); when screening rules it out
the next allowed technique is proposed at its own usual dose. Safety screening removes
or modifies techniques (`screening.technique_status`); a red flag or a postponed
session gives no steps. `check_step_bounds` checks an edited step against the same doses.

An avoid-locally condition with `areas` in the knowledge base (a DVT: the lower limb)
applies its removals to every point located in those regions: such a point gets the
first technique still allowed there, or is left out with the reason when none is. A
condition without areas (a wound) only adds a note to check and avoid the affected area.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.screening import (
    ContraindicationHit,
    Screening,
    TechniqueStatus,
    light_pressure_note,
    technique_status,
)
from myomap.core.vocab import POINT_SIDES, PRESSURE_RANK, on_tender_scale

SIDES = POINT_SIDES  # kept for the callers that import it from here
NOT_HERE = "not treated: "  # how a point left out for a contraindicated area is explained


@dataclass(frozen=True)
class Palpation:
    trigger_point: str
    side: str  # left | right | bilateral | midline
    tender: int | None = None  # 0-10
    taut_band: bool = False
    referral: bool = False
    twitch: bool = False
    jump: bool = False
    ppt: float | None = None  # pressure pain threshold, kg/cm2

    @property
    def signs(self) -> tuple[str, ...]:
        """The trigger point signs found, in words, tenderness first."""
        words = [f"tender {self.tender}/10"] if self.tender is not None else []
        for flag, word in (
            (self.taut_band, "taut band"),
            (self.referral, "referral reproduced"),
            (self.twitch, "local twitch response"),
            (self.jump, "jump sign"),
        ):
            if flag:
                words.append(word)
        if self.ppt is not None:
            words.append(f"pressure pain threshold {self.ppt:g} kg/cm2")
        return tuple(words)


@dataclass(frozen=True)
class PlanStep:
    order: int
    trigger_point: str
    trigger_point_name: str
    muscle: str
    muscle_name: str
    side: str
    technique: str
    technique_name: str
    pressure: str  # light | moderate | deep
    hold_seconds: int  # 10..30 for ischemic compression; 0 where not a hold
    repetitions: int
    reason: str
    modifications: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    steps: tuple[PlanStep, ...]
    excluded: tuple[tuple[str, str, str], ...]  # (trigger point, side, why)
    blocked_reason: str | None


def check_points(
    kb: KnowledgeBase,
    candidates: Sequence[tuple[str, str, float]] = (),
    palpation: Sequence[Palpation] = (),
) -> None:
    """Raise ValueError naming unknown trigger points, sides or tenderness out of 0-10."""
    points = [c[0] for c in candidates] + [p.trigger_point for p in palpation]
    unknown = sorted({tp for tp in points if tp not in kb.trigger_points})
    if unknown:
        raise ValueError(f"unknown trigger point id(s): {', '.join(unknown)}")
    sides = {c[1] for c in candidates} | {p.side for p in palpation}
    bad = sorted(s for s in sides if s not in POINT_SIDES)
    if bad:
        raise ValueError(f"unknown side(s): {', '.join(bad)}; use {', '.join(POINT_SIDES)}")
    for p in palpation:
        if not on_tender_scale(p.tender):
            raise ValueError(f"{p.trigger_point}: tenderness {p.tender} is outside 0-10")
        if p.ppt is not None and p.ppt < 0:
            raise ValueError(f"{p.trigger_point}: pressure pain threshold cannot be negative")


def propose_plan(
    kb: KnowledgeBase,
    *,
    candidates: Sequence[tuple[str, str, float]],
    palpation: Sequence[Palpation],
    screening: Screening,
    max_steps: int = 6,
) -> Plan:
    """The ordered points to treat today. `candidates` are (trigger point, side, score)
    from the referral reasoning; `palpation` what the therapist found (a later entry for
    the same point and side replaces an earlier one)."""
    check_points(kb, candidates, palpation)
    if max_steps < 1:
        raise ValueError("max_steps must be at least 1")
    if screening.blocked or screening.postpone:
        return Plan((), (), screening.headline)
    status = technique_status(kb, screening)
    technique = next((t for t in kb.plan_order if status[t].allowed), None)
    if technique is None:
        return Plan((), (), f"No hands-on technique is allowed today. {screening.headline}")
    found = {(p.trigger_point, p.side): p for p in palpation}
    scores: dict[tuple[str, str], float] = {}
    for tp, side, score in candidates:
        scores.setdefault((tp, side), float(score))
    excluded: list[tuple[str, str, str]] = []
    ranked: list[tuple[tuple[float, ...], str, str, Palpation | None]] = []
    for (tp, side), p in found.items():
        if p.tender == 0 and not p.referral:
            excluded.append((tp, side, "palpated: not tender"))
        elif p.tender is None and not (p.taut_band or p.twitch or p.jump or p.referral):
            excluded.append((tp, side, "palpated: no tenderness or trigger point signs recorded"))
        else:
            group = 0 if p.referral else 1 if p.taut_band else 2
            key = (group, -(p.tender or 0), -scores.get((tp, side), 0.0))
            ranked.append((key, tp, side, p))
    for (tp, side), score in scores.items():
        if (tp, side) not in found and (tp, "bilateral") not in found:
            ranked.append(((3, 0, -score), tp, side, None))
    ranked.sort(key=lambda item: item[0])
    treatable: list[tuple[str, str, Palpation | None, str, _Here]] = []
    for _, tp, side, found_here in ranked:
        here = _status_here(kb, screening, status, kb.trigger_points[tp].location.region)
        allowed = next((t for t in kb.plan_order if here[0][t].allowed), None)
        if allowed is None:
            excluded.append((tp, side, _not_here(kb, tp, side, here[1])))
        else:
            treatable.append((tp, side, found_here, allowed, here))
    for tp, side, later, _, _ in treatable[max_steps:]:
        if later is not None:
            excluded.append((tp, side, f"more than {max_steps} points for one session: next visit"))
    steps = tuple(
        _step(kb, order, tp, side, p, scores.get((tp, side)), allowed, here, screening)
        for order, (tp, side, p, allowed, here) in enumerate(treatable[:max_steps], start=1)
    )
    return Plan(steps, tuple(excluded), None)


# The technique status where a point lies, and the avoid-locally hits whose areas hold it.
_Here = tuple[Mapping[str, TechniqueStatus], tuple[ContraindicationHit, ...]]


def _status_here(
    kb: KnowledgeBase,
    screening: Screening,
    status: Mapping[str, TechniqueStatus],
    region: str,
) -> _Here:
    """The technique status for a point located in `region` (a base id), and the
    avoid-locally conditions whose `areas` hold it: their rules apply there in full."""
    hits = tuple(c for c in screening.contraindications if region in c.areas)
    if not hits:
        return status, ()
    ids = {c.id for c in hits}
    rules = tuple(
        replace(r, local_only=False) if r.because_id in ids else r
        for r in screening.technique_rules
    )
    return technique_status(kb, replace(screening, technique_rules=rules)), hits


def status_at(kb: KnowledgeBase, screening: Screening, trigger_point: str) -> _Here:
    """What each technique may do at a trigger point's location: the session's rules,
    plus in full the rules of local conditions whose `areas` hold that location. Used by
    the proposal and by every check of an edited plan, so both apply the same rules."""
    region = kb.trigger_points[trigger_point].location.region
    return _status_here(kb, screening, technique_status(kb, screening), region)


def capped_pressure(here: _Here, pressure: str) -> str:
    """`pressure`, lowered to the most a condition allows where the point lies (over the
    abdomen in a cleared pregnancy: light)."""
    for hit in here[1]:
        if hit.max_pressure and PRESSURE_RANK[pressure] > PRESSURE_RANK[hit.max_pressure]:
            pressure = hit.max_pressure
    return pressure


def safety_notes(screening: Screening, here: _Here, technique: str) -> tuple[str, ...]:
    """The notes a plan step carries for `technique` at a point: modifications, the
    light-pressure limit, the reasons to keep away from an area."""
    status, hits = here
    notes = list(status[technique].modifications)
    light = light_pressure_note(screening)
    if light:
        notes.append(light)
    notes += [r[0].upper() + r[1:] + "." for r in status[technique].reasons]
    notes += [
        f"{c.name}, cleared by the doctor: {c.note}"
        if c.level == "ask-doctor" and c.note
        else f"In the area usually affected by {_lower(c.name)}: check where it is and keep off it."
        for c in hits
    ]
    return tuple(dict.fromkeys(notes))


def _not_here(kb: KnowledgeBase, tp_id: str, side: str, hits: Sequence[ContraindicationHit]) -> str:
    tp = kb.trigger_points[tp_id]
    muscle = _lower(kb.muscles[tp.muscle].name)
    who = f"{side} {muscle}" if side in ("left", "right", "bilateral") else f"{muscle} (midline)"
    where = _lower(kb.region_specs[tp.location.region].name)
    why = " and ".join(dict.fromkeys(_lower(c.name) for c in hits))
    return (
        f"{NOT_HERE}{who} ({where}) lies in the area affected by {why}; "
        "no technique is allowed there"
    )


def unsafe_area(why: str) -> str | None:
    """For a point `propose_plan` left out because it lies in a contraindicated area, the
    reason without its "not treated: " lead ("left soleus (...) lies in the area affected
    by ..."); None for a point left out for another reason (not tender, next visit)."""
    return why[len(NOT_HERE) :] if why.startswith(NOT_HERE) else None


def check_step_bounds(
    kb: KnowledgeBase,
    technique: str,
    hold_seconds: int,
    repetitions: int,
    *,
    side: str | None = None,
    tender: int | None = None,
) -> list[tuple[str, str]]:
    """Every bound a plan step breaks, as (field, message); empty when it is within them.

    The hold and repetitions must lie within the technique's dose in the knowledge base
    (a technique that is not a timed hold has 0 s); `side`, when given, must be a point
    side; `tender`, when given, 0-10. Screening (what is allowed today) is not a bound:
    see `status_at`. For example, with the shipped knowledge base::

        check_step_bounds(kb, "ischemic-compression", 45, 2)
        # [("hold_seconds", "hold time for ischemic compression must be 10-30 seconds")]
    """
    out: list[tuple[str, str]] = []
    if side is not None and side not in POINT_SIDES:
        out.append(("side", f"side must be one of {', '.join(POINT_SIDES)}"))
    if not on_tender_scale(tender):
        out.append(("tender", f"tenderness {tender} is outside 0-10"))
    tech = kb.techniques.get(technique)
    if tech is None:
        return [*out, ("technique", f"unknown technique {technique!r}")]
    name = _lower(short_name(tech.name))
    low, high = tech.dose.hold_range
    if high == 0 and hold_seconds != 0:
        out.append(("hold_seconds", f"{name} is not a timed hold: hold time must be 0 seconds"))
    elif not low <= hold_seconds <= high:
        out.append(("hold_seconds", f"hold time for {name} must be {low}-{high} seconds"))
    most = tech.dose.repetitions.high
    if not 1 <= repetitions <= most:
        allowed = "1" if most == 1 else f"1-{most}"
        out.append(("repetitions", f"repetitions of {name} must be {allowed}"))
    return out


def short_name(name: str) -> str:
    """A technique's name without its bracketed alternative: "Ischemic compression"."""
    return name.split(" (")[0]


def _lower(text: str) -> str:
    """Lower-case the first letter unless the text starts with an acronym."""
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


def _step(
    kb: KnowledgeBase,
    order: int,
    tp_id: str,
    side: str,
    p: Palpation | None,
    score: float | None,
    technique: str,
    here: _Here,
    screening: Screening,
) -> PlanStep:
    status = here[0]
    tp = kb.trigger_points[tp_id]
    tech = kb.techniques[technique]
    dose = tech.dose
    tender = p.tender if p is not None else None
    pressure, hold, repetitions = dose.pressure, dose.hold, dose.repetitions.usual or 1
    first = kb.plan_order[0]
    if technique == first:
        gentler, span = dose.gentler, dose.hold_seconds
        if gentler is not None and tender is not None and tender >= gentler.from_tender:
            hold = gentler.hold_seconds
            how = f"very tender ({tender}/10), so start gentler: {pressure} pressure, {hold} s"
        elif span is not None and p is not None and p.taut_band and p.referral:
            hold = span.high
            how = f"steady {pressure} pressure held up to {hold} s until the point releases"
        else:
            how = f"steady {pressure} pressure held {hold} s until the point releases"
        again = "once" if repetitions == 2 else f"up to {repetitions - 1} times"
        why_technique = f"{short_name(tech.name)}: {how}; repeat {again} if still tender"
    else:
        ruled_out = "; ".join(status[first].reasons) or "not allowed today"
        instead = _lower(short_name(kb.techniques[first].name))
        why_technique = f"{tech.name} instead of {instead} ({ruled_out})"
    if screening.no_deep_pressure and PRESSURE_RANK[pressure] > PRESSURE_RANK["light"]:
        pressure = "light"
    return PlanStep(
        order=order,
        trigger_point=tp.id,
        trigger_point_name=tp.name,
        muscle=tp.muscle,
        muscle_name=kb.muscles[tp.muscle].name,
        side=side,
        technique=technique,
        technique_name=tech.name,
        pressure=capped_pressure(here, pressure),
        hold_seconds=hold,
        repetitions=repetitions,
        reason=f"{_why_point(p, score)}. {why_technique}; ask: too much, too little, "
        "better or worse?",
        modifications=safety_notes(screening, here, technique),
    )


def _why_point(p: Palpation | None, score: float | None) -> str:
    if p is None:
        shown = f" (score {score:.2f})" if score is not None else ""
        return (
            f"Candidate to examine from the pain drawing{shown}, not yet palpated: "
            "palpate first and treat only if tender"
        )
    found = ", ".join(p.signs)
    if p.referral:
        return f"Confirmed on palpation: pressure reproduced the referred pain ({found})"
    if p.taut_band and p.tender is None:
        return f"Taut band, tenderness not recorded ({found})"
    if p.taut_band and p.tender == 0:
        return f"Taut band, not tender ({found})"
    if p.taut_band:
        return f"Tender spot in a taut band ({found})"
    return f"Tender on palpation ({found}), no taut band recorded"
