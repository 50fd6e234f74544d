"""Referral reasoning: from a pain drawing to trigger points to examine.

    >>> from myomap.core.referral import explain
    >>> result = explain({"buttock-upper-left": 7, "si-joint-left": 5})
    >>> result.candidates[0].side
    'left'

Myomap suggests where to examine; it never diagnoses. See docs/reasoning.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from myomap.core.referral.compiled import Model, default_model
from myomap.core.referral.engine import Batch, Scorer, run
from myomap.core.referral.explanation import Candidate, CoverItem, Explanation, build
from myomap.core.referral.inputs import (
    Finding,
    InputError,
    check_drawing,
    collect,
    parse_finding,
)

__all__ = [
    "Batch",
    "Candidate",
    "CoverItem",
    "Explanation",
    "Finding",
    "InputError",
    "Model",
    "explain",
    "explain_many",
    "parse_finding",
    "scorer",
]


@cache
def scorer() -> Scorer:
    """The scorer for the installed knowledge base (built once per process)."""
    return Scorer(default_model())


def explain(
    drawing: Mapping[str, object],
    findings: Sequence[Finding] = (),
    *,
    top: int | None = None,
    using: Scorer | None = None,
) -> Explanation:
    """Rank the trigger points to examine for one pain drawing (region id -> 0..10).

    Raises InputError naming an unknown region or an intensity outside 0..10.
    """
    s = using or scorer()
    clean = check_drawing(drawing, s.model)
    batch = run(s, collect([clean], s.model), [findings])
    return build(batch, 0, top)


def explain_many(
    drawings: Sequence[Mapping[str, object]],
    findings: Sequence[Sequence[Finding]] | None = None,
    *,
    using: Scorer | None = None,
) -> Batch:
    """Reason over many drawings at once; `build(batch, i)` gives drawing i's Explanation.

    Raises InputError naming the first unknown region or bad intensity, as `explain` does.
    """
    s = using or scorer()
    return run(s, collect(drawings, s.model), findings)
