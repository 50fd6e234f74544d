"""What was recorded for a visit, turned into the core's plain inputs (reads only).

Stored rows are read tolerantly: a trigger point, test or technique the knowledge base no
longer has (a clinic may swap its knowledge folder) is left out of the reasoning and the
note draft rather than breaking the page; the stored rows themselves are untouched."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from myomap.clients.screening import screen_intake
from myomap.core import factors as core_factors
from myomap.core import notes as core_notes
from myomap.core import planning as core_planning
from myomap.core.kb import load_default
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.planning import Palpation
from myomap.core.record import Movement, VisitRecord
from myomap.core.referral import Explanation, Finding, explain, scorer
from myomap.core.session.note import held_points, visit_note
from myomap.core.session.record import session_record
from myomap.core.vocab import TestResult, TestSide
from myomap.visits import drafting, session_queries
from myomap.visits.models import PalpationFinding, Visit

RESULT_FLAGS = (
    ("taut_band", "taut-band"),
    ("referral", "referral"),
    ("twitch", "twitch"),
    ("jump", "jump"),
)


def palpation_of(p: PalpationFinding) -> Palpation:
    """The one mapping of a stored palpation finding to the core's value."""
    return Palpation(
        trigger_point=p.trigger_point,
        side=p.side,
        tender=p.tender,
        taut_band=p.taut_band,
        referral=p.referral,
        twitch=p.twitch,
        jump=p.jump,
        ppt=float(p.ppt) if p.ppt is not None else None,
    )


def palpation(visit: Visit) -> list[Palpation]:
    known = load_default().trigger_points
    return [palpation_of(p) for p in visit.palpations.all() if p.trigger_point in known]


def findings(visit: Visit) -> list[Finding]:
    """Palpation and movement findings in the reasoner's terms."""
    out: list[Finding] = []
    for p in visit.palpations.all():
        results = {name for attr, name in RESULT_FLAGS if getattr(p, attr)}
        if p.tender is not None:
            results.add("tender" if p.tender > 0 else "not-tender")
        if results:
            side = p.side if p.side in ("left", "right") else None
            out.append(Finding(p.trigger_point, side, frozenset(results)))
    # A test that implicates no muscle (it is recorded for the note) moves no candidate;
    # and a stored point the knowledge base no longer has is left out (read tolerantly).
    tests = scorer().model.tests
    points = load_default().trigger_points
    out = [f for f in out if f.target in points]
    for m in visit.movements.all():
        if m.test in tests:
            out.append(Finding(m.test, m.side or None, frozenset({m.result})))
    return out


def explanation(visit: Visit, top: int | None = 10) -> Explanation:
    return explain(visit.intake.drawing, findings(visit), top=top)


def candidates(visit: Visit) -> list[tuple[str, str, float]]:
    return [(c.trigger_point, c.side, c.score) for c in explanation(visit).candidates]


def factor_profile(visit: Visit) -> tuple[core_factors.FactorScore, ...]:
    tender = sum(1 for p in visit.palpations.all() if p.tender)
    return core_factors.factor_profile(
        load_default(),
        visit.intake.factors,
        palpation_count=len(visit.palpations.all()),
        tender_points=tender,
    )


def plan(visit: Visit) -> core_planning.Plan:
    """The visit's saved plan in the core's terms."""
    kb = load_default()
    steps = [step for s in visit.plan_steps.all() if (step := s.to_core(kb)) is not None]
    excluded = tuple((str(e[0]), str(e[1]), str(e[2])) for e in visit.plan_excluded)
    return core_planning.Plan(steps=tuple(steps), excluded=excluded, blocked_reason=None)


def soap(visit: Visit) -> core_notes.Soap:
    kb = load_default()
    intake = visit.intake
    planned = plan(visit)
    treated_muscles = {step.muscle for step in planned.steps}
    suggested = core_factors.suggested_findings(kb, intake.factors)
    record = VisitRecord(
        complaint=intake.complaint,
        drawing=intake.drawing,
        history=intake.history,
        medications=intake.medications,
        screening=screen_intake(intake),
        factors=factor_profile(visit),
        palpation=tuple(palpation(visit)),
        movement=tuple(
            Movement(m.test, cast(TestSide, m.side), cast(TestResult, m.result), m.note)
            for m in visit.movements.all()
            if m.test in kb.exam_tests
        ),
        candidates=tuple(candidates(visit)),
        plan=planned,
        exercises=core_notes.suggest_exercises(kb, suggested, treated_muscles),
        excluded=planned.excluded,
    )
    done, measured, held = _session_lines(visit, kb)
    record = replace(
        record,
        session_done=done,
        session_measured=measured,
        session_points=held,
        outcomes=drafting.outcome_lines_of(visit),
    )
    return core_notes.draft_soap(kb, record)


def _session_lines(
    visit: Visit, kb: KnowledgeBase
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What the visit's guided sessions did and measured, in the note's words, and the
    points they held: every run, in the order they ran (a second session never hides the
    first); nothing without one."""
    runs = session_queries.runs_of(visit)
    if not runs:
        return (), (), ()
    records = [session_record(session_queries.replayed(run, kb)) for run in runs]
    lines = visit_note(kb, records)
    return lines.objective, lines.assessment, held_points(records)
