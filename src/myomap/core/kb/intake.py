"""Intake questions: what the intake form asks about each NMT factor, as data.

Each question belongs to one factor (factors.yaml) and may suggest an examination
finding (findings.yaml) to check when the answer is yes, or 2 or more on a 0-3 scale.
The questions are written in plain words for the client and the therapist; the scoring
that turns answers into a factor profile is in `myomap.core.factors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from myomap.core.kb.models import Cited, Id, Ref, Text


class IntakeQuestion(Cited):
    """One intake question about an NMT factor (kind `intake_questions`)."""

    factor: Id
    text: Text
    answer: Literal["yes-no", "scale-0-3"]
    weight: float = Field(default=1.0, gt=0.0, le=3.0)
    finding: Id | None = None
    help: Text | None = None
    # The words of each point of a 0-3 scale, in order (0 first), as the client reads them.
    scale: tuple[Text, ...] = ("none", "a little", "moderately", "a lot")

    @model_validator(mode="after")
    def _four_points(self) -> IntakeQuestion:
        if len(self.scale) != 4:
            raise ValueError("a 0-3 scale has four points: give four words in scale")
        return self

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        yield Ref("factor", "factors", self.factor)
        if self.finding is not None:
            yield Ref("finding", "findings", self.finding)
