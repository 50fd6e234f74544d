"""The session's rules from the knowledge base: each technique's longest hold, and the
trigger points that exist. The numbers stay in the knowledge base (techniques.yaml,
session.yaml); this only gathers them."""

from __future__ import annotations

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.session.state import Rules


def session_rules(kb: KnowledgeBase) -> Rules:
    """A technique may be held up to the top of its planned range (`dose.hold_seconds`),
    or longer where `session.yaml` names a longest hold for it; a technique that is not
    a timed hold gets None (no hold starts)."""
    longer = (
        {h.technique: h.seconds for h in kb.session_rules.longest_hold} if kb.session_rules else {}
    )
    longest: dict[str, int | None] = {}
    for tid, technique in kb.techniques.items():
        span = technique.dose.hold_seconds
        if span is None:
            longest[tid] = None
        else:
            longest[tid] = max(span.high, longer.get(tid, 0))
    return Rules(longest_hold=longest, trigger_points=frozenset(kb.trigger_points))
