"""The session's rules from the knowledge base: each technique's longest hold at each
pressure, and the trigger points that exist. The numbers stay in the knowledge base
(techniques.yaml, session.yaml); this only gathers them."""

from __future__ import annotations

from collections.abc import Mapping

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.session.state import Rules
from myomap.core.vocab import PRESSURES


def session_rules(kb: KnowledgeBase) -> Rules:
    """A technique may be held up to the top of its planned range (`dose.hold_seconds`),
    or longer where `session.yaml` names a longest hold for it at the hold's pressure (or
    at every pressure not listed); a technique that is not a timed hold gets None (no
    hold starts).

    With the shipped knowledge base, ischemic compression (planned 10-30 s) may be held
    up to 90 s at light or moderate pressure and 60 s at deep; the muscle energy
    technique (no longer hold listed) up to its planned 10 s at any pressure."""
    rules = kb.session_rules
    longest: dict[str, Mapping[str, int] | None] = {}
    for tid, technique in kb.techniques.items():
        span = technique.dose.hold_seconds
        if span is None:
            longest[tid] = None
            continue
        by_pressure: dict[str, int] = {}
        for pressure in PRESSURES:
            listed = rules.longest(tid, pressure) if rules else None
            by_pressure[pressure] = max(span.high, listed.seconds if listed else 0)
        longest[tid] = by_pressure
    return Rules(longest_hold=longest, trigger_points=frozenset(kb.trigger_points))
