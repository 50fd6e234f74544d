"""One plan step as the therapist edits it, and the one check every surface runs on it.

`StepInput` is the shape the web form, the API and the command line all hand to the
records' `save_plan`; `check_steps` is the only place a step's bounds and safety are
checked. It collects every problem of every step at once (so a form can show them all,
each beside its step), naming the step by its position and trigger point:

    >>> problems = check_steps(kb, [StepInput("quadratus-lumborum-deep-cranial", "left",
    ...     "ischemic-compression", "moderate", 45)], screening)
    >>> print(problems[0].message)
    step 1 (Quadratus lumborum, deep cranial): hold time for ischemic compression must be
    10-30 seconds
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from myomap.core import planning
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.screening import Screening, light_pressure_note
from myomap.core.vocab import POINT_SIDES, PPT_RANGE, PRESSURES, TENDER_SCALE, on_tender_scale


@dataclass(frozen=True)
class StepInput:
    trigger_point: str
    side: str
    technique: str
    pressure: str
    hold_seconds: int
    repetitions: int = 1
    reason: str = ""


# How many steps one plan may hold, whoever sends it (a form, the API): an input bound,
# not a clinical one (the proposal itself stops at the planner's own limit).
MAX_STEPS = 50


def from_proposal(step: planning.PlanStep) -> StepInput:
    """A proposed step as the therapist would save it unchanged."""
    return StepInput(
        trigger_point=step.trigger_point,
        side=step.side,
        technique=step.technique,
        pressure=step.pressure,
        hold_seconds=step.hold_seconds,
        repetitions=step.repetitions,
        reason=step.reason,
    )


@dataclass(frozen=True)
class StepProblem:
    index: int  # 0-based position of the step in the list
    field: str
    message: str  # "step 2 (Piriformis, medial): ...", for a list of problems
    text: str = ""  # the same without the step's name, for beside the step itself


@dataclass(frozen=True)
class CheckedStep:
    step: StepInput
    modifications: tuple[str, ...]  # the safety notes the step carries, recomputed


def _name(kb: KnowledgeBase, step: StepInput) -> str:
    point = kb.trigger_points.get(step.trigger_point)
    return point.name if point is not None else step.trigger_point


def check_steps(
    kb: KnowledgeBase, steps: Sequence[StepInput], screening: Screening
) -> list[StepProblem]:
    """Every problem of every step; empty when all may be saved."""
    if len(steps) > MAX_STEPS:
        # About the list, not one step: index -1.
        limit = f"a plan holds at most {MAX_STEPS} steps"
        return [StepProblem(-1, "steps", limit, limit)]
    problems: list[StepProblem] = []
    for index, step in enumerate(steps):
        where = f"step {index + 1} ({_name(kb, step)})"
        problems += [
            StepProblem(index, name, f"{where}: {message}", message)
            for name, message in _step_problems(kb, step, screening)
        ]
    return problems


def checked(
    kb: KnowledgeBase, steps: Sequence[StepInput], screening: Screening
) -> list[CheckedStep]:
    """The steps with their safety notes; call only once `check_steps` found nothing."""
    return [
        CheckedStep(
            step,
            planning.safety_notes(
                screening, planning.status_at(kb, screening, step.trigger_point), step.technique
            ),
        )
        for step in steps
    ]


def _step_problems(
    kb: KnowledgeBase, step: StepInput, screening: Screening
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if step.trigger_point not in kb.trigger_points:
        return [("trigger_point", f"unknown trigger point {step.trigger_point!r}")]
    if step.technique not in kb.techniques:
        return [("technique", f"unknown technique {step.technique!r}")]
    # The same rules as the proposal, at this point's location (local conditions included).
    here = planning.status_at(kb, screening, step.trigger_point)
    status = here[0][step.technique]
    if not status.allowed:
        why = "; ".join(status.reasons)
        out.append(("technique", f"{kb.techniques[step.technique].name} is ruled out here ({why})"))
    light_only = light_pressure_note(screening)
    if step.pressure not in PRESSURES:
        out.append(("pressure", f"pressure must be {', '.join(PRESSURES)}"))
    elif light_only and step.pressure != "light":
        out.append(("pressure", light_only))
    elif (most := planning.capped_pressure(here, step.pressure)) != step.pressure:
        why = " and ".join(c.name for c in here[1] if c.max_pressure)
        out.append(("pressure", f"at most {most} pressure here ({why}, once cleared)"))
    out += planning.check_step_bounds(
        kb, step.technique, step.hold_seconds, step.repetitions, side=step.side
    )
    if len(step.reason) > 2000:
        out.append(("reason", "the reason is longer than 2000 characters"))
    return out


def check_palpation(
    kb: KnowledgeBase, trigger_point: str, side: str, tender: int | None, ppt: float | None
) -> list[tuple[str, str]]:
    """Every problem of one palpation finding, as (field, message)."""
    out: list[tuple[str, str]] = []
    if trigger_point not in kb.trigger_points:
        out.append(("trigger_point", f"unknown trigger point {trigger_point!r}"))
    if side not in POINT_SIDES:
        out.append(("side", f"side must be one of {', '.join(POINT_SIDES)}"))
    if not on_tender_scale(tender):
        low, high = TENDER_SCALE
        out.append(("tender", f"tenderness is a whole number {low}-{high}"))
    low_ppt, high_ppt = PPT_RANGE
    if ppt is not None and not low_ppt <= ppt <= high_ppt:
        out.append(("ppt", f"pressure pain threshold is {low_ppt:g}-{high_ppt:g} kg/cm²"))
    return out
