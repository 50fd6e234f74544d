"""The rules of a guided session (kind `session_rules`, `session.yaml`): the longest a
hold may run for a technique whose sources describe holds past its planned range (at one
pressure, or at every pressure not listed), the pressure steps of a stepped hold, and the
repeated-discomfort rule (how many "too much" or "worse" in one hold, or on one point,
suggest a lighter pressure or another technique). One entry; every number cites its
sources, and `evidence` says how strong they are."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from myomap.core.kb.models import Cited, Entry, Id, Ref, Text
from myomap.core.session.events import FeedbackKind
from myomap.core.vocab import Pressure

Evidence = Literal["strong", "moderate", "weak", "expert-opinion"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LongestHold(_Part):
    """A hold of `technique` at `pressure` may run up to `seconds`; without `pressure`, at
    every pressure no other entry of the technique names."""

    technique: Id
    pressure: Pressure | None = None
    seconds: int = Field(ge=1)
    evidence: Evidence
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text | None = None

    @property
    def says(self) -> str:
        """The technique and pressure it applies to, as a load error names them."""
        at = f"{self.pressure} pressure" if self.pressure else "every pressure not listed"
        return f"{self.technique} at {at}"


class RepeatedDiscomfort(_Part):
    """`in_one_hold` reports of any of `feedback` in one hold, or `on_one_point` across a
    point's holds, suggest a lighter pressure (another technique when already light)."""

    feedback: tuple[FeedbackKind, ...] = Field(min_length=1)
    in_one_hold: int = Field(ge=1)
    on_one_point: int = Field(ge=1)
    evidence: Evidence
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text


class PressureSteps(_Part):
    """A hold of `technique` worked in `steps` equal steps of its planned seconds: the
    runner cues the start of each step after the first (and the end, as for any hold)."""

    technique: Id
    steps: int = Field(ge=2, le=10)
    evidence: Evidence
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text


class PadTaps(_Part):
    """The client's feedback pad refuses a tap past `most` taps in `per_seconds` seconds
    of the server's receive time."""

    most: int = Field(ge=1)
    per_seconds: int = Field(ge=1)
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text


class SessionRules(Cited):
    longest_hold: tuple[LongestHold, ...] = ()
    repeated_discomfort: RepeatedDiscomfort
    pressure_steps: tuple[PressureSteps, ...] = ()
    pad_taps: PadTaps | None = None

    @field_validator("longest_hold")
    @classmethod
    def _one_hold_per_technique_and_pressure(
        cls, holds: tuple[LongestHold, ...]
    ) -> tuple[LongestHold, ...]:
        seen: dict[tuple[str, str | None], int] = {}
        for i, hold in enumerate(holds):
            first = seen.setdefault((hold.technique, hold.pressure), i)
            if first != i:
                raise ValueError(
                    f"longest_hold[{i}] gives {hold.says} again (longest_hold[{first}] "
                    "does); give each technique and pressure once"
                )
        return holds

    def longest(self, technique: str, pressure: str) -> LongestHold | None:
        """The longest hold for `technique` at `pressure`: the entry naming that pressure,
        else the technique's entry without one, else None (the planned range's top). With
        ischemic compression's entries (deep: 60 s; no pressure: 90 s), a deep hold gets
        60 s and a light or moderate one 90 s."""
        default = None
        for hold in self.longest_hold:
            if hold.technique != technique:
                continue
            if hold.pressure == pressure:
                return hold
            if hold.pressure is None:
                default = hold
        return default

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        for i, hold in enumerate(self.longest_hold):
            yield Ref(f"longest_hold[{i}].technique", "techniques", hold.technique)
            for source in hold.sources:
                yield Ref(f"longest_hold[{i}].sources", "sources", source)
        for source in self.repeated_discomfort.sources:
            yield Ref("repeated_discomfort.sources", "sources", source)
        for i, step in enumerate(self.pressure_steps):
            yield Ref(f"pressure_steps[{i}].technique", "techniques", step.technique)
            for source in step.sources:
                yield Ref(f"pressure_steps[{i}].sources", "sources", source)
        if self.pad_taps is not None:
            for source in self.pad_taps.sources:
                yield Ref("pad_taps.sources", "sources", source)

    @classmethod
    def check_entries(cls, entries: Sequence[Entry]) -> Iterator[tuple[str, str, str]]:
        for extra in entries[1:]:
            first = entries[0].id
            yield extra.id, "id", f"only one session_rules entry is allowed ({first} is one)"
