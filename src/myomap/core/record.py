"""The plain record of one visit: everything recorded for it, in the core's terms.

Built once from the stored rows (`myomap.visits.queries.visit_record`) and fed to the
SOAP draft, the API's output and, later, FHIR export and backup, so every surface reads
the same facts the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from myomap.core.factors import FactorScore
from myomap.core.planning import Palpation, Plan
from myomap.core.screening import Screening
from myomap.core.vocab import TestResult, TestSide

# (trigger point, side, technique, tenderness before, tenderness after)
Treated = tuple[str, str, str, int | None, int | None]


@dataclass(frozen=True)
class Movement:
    """One posture or movement test result, with the therapist's comment."""

    test: str
    side: TestSide
    result: TestResult
    note: str = ""


@dataclass(frozen=True)
class VisitRecord:
    complaint: str
    drawing: Mapping[str, int]
    history: str = ""
    medications: str = ""
    screening: Screening | None = None
    factors: tuple[FactorScore, ...] = ()
    palpation: tuple[Palpation, ...] = ()
    movement: tuple[Movement, ...] = ()
    candidates: tuple[tuple[str, str, float], ...] = ()  # (trigger point, side, score)
    plan: Plan | None = None
    treated: tuple[Treated, ...] = ()  # (point, side, technique, before, after), by hand
    # The guided session's lines (core.session.note): what was done on each point, and
    # what was measured over the session (pain now at its start and end).
    session_done: tuple[str, ...] = ()
    session_measured: tuple[str, ...] = ()
    # The points the guided session held (trigger point, side): treated, so the plan never
    # lists them as candidates still to palpate.
    session_points: tuple[tuple[str, str], ...] = ()
    # The outcome questionnaires taken at the visit, a line each in words (the outcomes
    # app's, `core.outcomes.note`): the score and its change from the episode's baseline.
    outcomes: tuple[str, ...] = ()
    exercises: tuple[str, ...] = ()
    excluded: tuple[tuple[str, str, str], ...] = field(default=())  # (point, side, why)
    rebook_days: int | None = None  # chosen for this client; None: the knowledge base's usual
