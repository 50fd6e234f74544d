"""The pressure steps of a stepped hold: where in a hold of the planned seconds each step
after the first starts, from the knowledge base's `pressure_steps` (session.yaml). The
runner cues each one (a short sound and vibration), as it cues the planned end."""

from __future__ import annotations

from dataclasses import dataclass

from myomap.core.kb.loader import KnowledgeBase


@dataclass(frozen=True)
class HoldSteps:
    """A hold's step starts in whole seconds (after the first step), with why."""

    seconds: tuple[int, ...]
    steps: int
    note: str
    sources: tuple[str, ...]


def step_seconds(planned: int, steps: int) -> tuple[int, ...]:
    """The starts of steps 2..`steps` when `planned` seconds are split into `steps` equal
    steps, to the nearest whole second (halves up), each strictly inside the hold and
    after the one before; none for fewer than 2 steps or no planned seconds."""
    if steps < 2 or planned <= 0:
        return ()
    starts: list[int] = []
    for k in range(1, steps):
        second = (2 * planned * k + steps) // (2 * steps)
        if 0 < second < planned and (not starts or second > starts[-1]):
            starts.append(second)
    return tuple(starts)


def hold_steps(kb: KnowledgeBase, technique: str, planned: int) -> HoldSteps | None:
    """The steps of a hold of `technique` planned for `planned` seconds; None when the
    knowledge base gives the technique no steps (or the hold is too short to step)."""
    rules = kb.session_rules
    found = next(
        (s for s in (rules.pressure_steps if rules else ()) if s.technique == technique), None
    )
    if found is None:
        return None
    seconds = step_seconds(planned, found.steps)
    if not seconds:
        return None
    return HoldSteps(seconds, found.steps, found.note, tuple(found.sources))
