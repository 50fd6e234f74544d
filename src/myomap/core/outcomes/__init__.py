"""Outcome questionnaires scored in one shape (NPRS, RMDQ, ODI, PSFS, STarT Back, PEG).

Usage::

    from myomap.core.kb import load_default
    from myomap.core.outcomes import change, score

    rmdq = load_default().instruments["rmdq"]
    before = score(rmdq, [1] * 14 + [0] * 10)
    after = score(rmdq, [1] * 8 + [0] * 16)
    change(rmdq, before, after).sentence
    # 'RMDQ 14 → 8: improved by more than the minimal important change (6 points, 43%:
    #  past the 5 points and the 30%)'

Every number (answers, ranges, bands, thresholds) comes from the knowledge base
(`instruments.yaml`); see docs/outcomes.md.
"""

from myomap.core.outcomes.answers import check, parse
from myomap.core.outcomes.change import Change, change
from myomap.core.outcomes.errors import OutcomeError
from myomap.core.outcomes.scoring import Score, SubscaleScore, score, unrounded

__all__ = [
    "Change",
    "OutcomeError",
    "Score",
    "SubscaleScore",
    "change",
    "check",
    "parse",
    "score",
    "unrounded",
]
