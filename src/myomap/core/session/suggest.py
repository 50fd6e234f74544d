"""The repeated-discomfort rule (session.yaml `repeated_discomfort`): enough "too much"
or "worse" taps in one hold, or on one point across its holds, suggest a lighter
pressure, or another technique when the pressure is already light."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from myomap.core.kb.session import RepeatedDiscomfort
from myomap.core.session.state import Hold, Session
from myomap.core.vocab import PRESSURE_RANK, PRESSURES

# What the runner says of each suggestion (its script adds the counts and the sources).
SUGGESTION_WORDS: dict[str, str] = {
    "lighter-pressure": "Suggestion: a lighter pressure",
    "another-technique": "Suggestion: another technique (the pressure is already light)",
}


@dataclass(frozen=True)
class Suggestion:
    """`lighter` names the pressure to go down to; `another_technique` when already light.
    `reports` is how many discomfort taps were counted and `where` whether in one hold or
    on the point; `sources` and `evidence` are the rule's, for the screen to cite."""

    trigger_point: str
    side: str
    action: Literal["lighter-pressure", "another-technique"]
    lighter: str | None
    reports: int
    where: Literal["hold", "point"]
    evidence: str
    sources: tuple[str, ...]


def suggestion(session: Session, rule: RepeatedDiscomfort | None) -> Suggestion | None:
    """The suggestion for the current point's latest hold, or None. Pure: the same state
    gives the same answer."""
    if rule is None or session.current is None:
        return None
    on_point = [h for h in session.holds if h.point == session.current]
    if not on_point:
        return None
    last = on_point[-1]
    in_hold = _count(last, rule)
    total = sum(_count(h, rule) for h in on_point)
    if in_hold >= rule.in_one_hold:
        reports, where = in_hold, "hold"
    elif total >= rule.on_one_point:
        reports, where = total, "point"
    else:
        return None
    rank = PRESSURE_RANK.get(last.pressure, 0)
    lighter = next((p for p in reversed(PRESSURES) if PRESSURE_RANK[p] < rank), None)
    return Suggestion(
        trigger_point=last.trigger_point,
        side=last.side,
        action="lighter-pressure" if lighter is not None else "another-technique",
        lighter=lighter,
        reports=reports,
        where="hold" if where == "hold" else "point",
        evidence=rule.evidence,
        sources=rule.sources,
    )


def _count(hold: Hold, rule: RepeatedDiscomfort) -> int:
    return sum(1 for s in hold.feedback if s.kind in rule.feedback)
