"""The NMT factor profile: from intake answers and palpation to the factors worth
addressing (ischemia, trigger points, nerve entrapment, posture, movement habits,
nutrition, stress).

The questions are data (knowledge kind `intake_questions`, model
`myomap.core.kb.intake.IntakeQuestion`). Scoring: a yes adds the question's weight; a
0-3 answer adds weight x answer / 3. A factor is "possible" from 0.6 points and
"likely" from 2 points. The profile says what to look at and address in home care;
it is not a diagnosis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from myomap.core.kb.intake import IntakeQuestion
from myomap.core.kb.loader import KnowledgeBase

POSSIBLE = 0.6
LIKELY = 2.0
# Each tender point found on palpation adds this much, up to the cap.
TENDER_POINT_WEIGHT = {"trigger-points": (1.0, 3.0), "ischemia": (0.5, 1.5)}

Answer = bool | int


@dataclass(frozen=True)
class FactorScore:
    factor: str
    name: str
    level: str  # "not indicated" | "possible" | "likely"
    points: float
    reasons: tuple[str, ...]


def questions(kb: KnowledgeBase) -> tuple[IntakeQuestion, ...]:
    """Every intake question, in the order of the data file."""
    return tuple(kb.intake_questions.values())


def _by_id(kb: KnowledgeBase) -> dict[str, IntakeQuestion]:
    return {q.id: q for q in questions(kb)}


def _checked(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> dict[str, float]:
    """Each answer as a fraction 0..1 of its question's weight; ValueError if wrong."""
    by_id = _by_id(kb)
    unknown = sorted(set(answers) - set(by_id))
    if unknown:
        raise ValueError(f"unknown intake question id(s): {', '.join(unknown)}")
    values: dict[str, float] = {}
    bad: list[str] = []
    for qid, value in answers.items():
        q = by_id[qid]
        if q.answer == "yes-no":
            if isinstance(value, bool) or value in (0, 1):
                values[qid] = float(bool(value))
            else:
                bad.append(f"{qid} expects yes or no, got {value!r}")
        elif not isinstance(value, bool) and isinstance(value, int) and 0 <= value <= 3:
            values[qid] = value / 3
        else:
            bad.append(f"{qid} expects 0-3, got {value!r}")
    if bad:
        raise ValueError("out-of-range answer(s): " + "; ".join(bad))
    return values


def _reason(q: IntakeQuestion, answer: Answer) -> str:
    text = re.sub(r"\s*\(0 [^)]*\)$", "", " ".join(q.text.split()))
    if q.answer == "yes-no":
        return f"Answered yes to: {text}"
    return f"Rated {int(answer)} of 3: {text}"


def _level(points: float) -> str:
    if points >= LIKELY:
        return "likely"
    if points >= POSSIBLE:
        return "possible"
    return "not indicated"


def factor_profile(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    palpation_count: int = 0,
    tender_points: int = 0,
) -> tuple[FactorScore, ...]:
    """Every factor once, in the order of factors.yaml, with the answers that raised it.

    `palpation_count` trigger points were palpated and `tender_points` of them were
    tender: they count toward the trigger-points factor (and, at half weight, ischemia,
    whose sign is tenderness). Raises ValueError naming unknown question ids or answers
    out of range.
    """
    values = _checked(kb, answers)
    if palpation_count < 0 or tender_points < 0:
        raise ValueError("palpation_count and tender_points cannot be negative")
    if palpation_count and tender_points > palpation_count:
        raise ValueError(
            f"tender_points ({tender_points}) exceeds palpation_count ({palpation_count})"
        )
    by_id = _by_id(kb)
    points: dict[str, float] = {fid: 0.0 for fid in kb.factors}
    reasons: dict[str, list[str]] = {fid: [] for fid in kb.factors}
    for qid, fraction in values.items():
        q = by_id[qid]
        if fraction > 0 and q.factor in points:
            points[q.factor] += q.weight * fraction
            reasons[q.factor].append(_reason(q, answers[qid]))
    for fid, (weight, cap) in TENDER_POINT_WEIGHT.items():
        if fid not in points:
            continue
        if tender_points:
            points[fid] += min(weight * tender_points, cap)
            of = f" of {palpation_count}" if palpation_count else ""
            why = "" if fid == "trigger-points" else " (tenderness is how ischemia shows)"
            reasons[fid].append(
                f"Palpation: {tender_points}{of} trigger points examined were tender{why}."
            )
        elif palpation_count and fid == "trigger-points":
            reasons[fid].append(
                f"Palpation: none of {palpation_count} trigger points examined was tender."
            )
    return tuple(
        FactorScore(
            factor=fid,
            name=factor.name,
            level=_level(points[fid]),
            points=round(points[fid], 2),
            reasons=tuple(reasons[fid]),
        )
        for fid, factor in kb.factors.items()
    )


def suggested_findings(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> tuple[str, ...]:
    """Finding ids to check, suggested by yes answers or 2+ on a 0-3 scale, in question
    order, each once."""
    values = _checked(kb, answers)
    out: dict[str, None] = {}
    for q in questions(kb):
        if q.finding is not None and values.get(q.id, 0.0) >= 2 / 3 - 1e-9:
            out[q.finding] = None
    return tuple(out)


def factors_of(scores: Iterable[FactorScore], *levels: str) -> tuple[FactorScore, ...]:
    """The scores at the given levels ("likely", "possible"), strongest first."""
    wanted = levels or ("likely", "possible")
    return tuple(
        sorted(
            (s for s in scores if s.level in wanted),
            key=lambda s: (wanted.index(s.level), -s.points),
        )
    )
