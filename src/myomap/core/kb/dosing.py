"""Numbers of a session: each technique's dose and the aftercare timings (kind `aftercare`).

Every number carries its own sources, because a hold time and a repetition count often
rest on different texts. A `Span` is a range of whole numbers, low to high, with the
usual value a plan starts from::

    hold_seconds: {low: 10, high: 30, usual: 20, sources: [myomap-brief]}

The planner proposes `usual`; an edited plan step must stay within `low`-`high`
(`myomap.core.planning.check_step_bounds`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from myomap.core.kb.models import Cited, Entry, Id, Ref, Text


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Part):
    """Whole numbers from `low` to `high`; `usual` (when given) lies between them."""

    low: int = Field(ge=0)
    high: int = Field(ge=0)
    usual: int | None = None
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Span:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        if self.usual is not None and not self.low <= self.usual <= self.high:
            raise ValueError(f"usual ({self.usual}) is outside {self.low}-{self.high}")
        return self

    def references(self, field: str) -> Iterator[Ref]:
        for source in self.sources:
            yield Ref(f"{field}.sources", "sources", source)


class Days(_Part):
    """Days after a session, in order (the relief follow-up's schedule)."""

    days: tuple[int, ...] = Field(min_length=1)
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text | None = None

    @model_validator(mode="after")
    def _rising(self) -> Days:
        if any(a >= b for a, b in zip(self.days, self.days[1:], strict=False)) or self.days[0] < 1:
            raise ValueError(f"days must rise from 1 or more, not {list(self.days)}")
        return self

    def references(self, field: str) -> Iterator[Ref]:
        for source in self.sources:
            yield Ref(f"{field}.sources", "sources", source)


class Gentler(_Part):
    """A gentler start on a very tender point: from `from_tender`/10 up, the plan starts
    with the shorter `hold_seconds`."""

    from_tender: int = Field(ge=1, le=10)
    hold_seconds: int = Field(ge=1)
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text | None = None


class Dose(_Part):
    """A technique's dose. `hold_seconds` is absent for a technique that is not a timed
    hold (a stroke, a lock through one movement): its hold is recorded as 0 s.
    `repetitions` counts from 1: fewer than usual is always allowed (the point released,
    or the client has had enough). `pressure` is where a proposed step starts; the
    technique's own `pressure` is the most it normally asks for."""

    hold_seconds: Span | None = None
    repetitions: Span
    pressure: Literal["light", "moderate", "deep"]
    gentler: Gentler | None = None

    @model_validator(mode="after")
    def _usable(self) -> Dose:
        for name, span in (("hold_seconds", self.hold_seconds), ("repetitions", self.repetitions)):
            if span is not None and span.usual is None:
                raise ValueError(f"{name} needs a usual value for the plan to start from")
        if self.hold_seconds is not None and self.hold_seconds.low < 1:
            raise ValueError("a timed hold starts at 1 s or more (leave hold_seconds out if none)")
        if self.repetitions.low != 1:
            raise ValueError("repetitions start at 1: fewer than usual is always allowed")
        if self.gentler is not None:
            hold = self.hold_seconds
            if hold is None:
                raise ValueError("a gentler start needs a timed hold")
            if not hold.low <= self.gentler.hold_seconds <= hold.high:
                raise ValueError(f"the gentler hold is outside {hold.low}-{hold.high} s")
        return self

    @property
    def hold(self) -> int:
        """The usual hold in seconds, 0 for a technique that is not a timed hold."""
        span = self.hold_seconds
        return span.usual or 0 if span is not None else 0

    @property
    def hold_range(self) -> tuple[int, int]:
        """The hold seconds a step may have: (0, 0) when the technique is not a timed hold."""
        span = self.hold_seconds
        return (span.low, span.high) if span is not None else (0, 0)

    def references(self) -> Iterator[Ref]:
        if self.hold_seconds is not None:
            yield from self.hold_seconds.references("dose.hold_seconds")
        yield from self.repetitions.references("dose.repetitions")
        if self.gentler is not None:
            for source in self.gentler.sources:
                yield Ref("dose.gentler.sources", "sources", source)


class Hours(_Part):
    """A number of hours after a session, with its sources."""

    hours: int = Field(ge=1)
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text | None = None

    def references(self, field: str) -> Iterator[Ref]:
        for source in self.sources:
            yield Ref(f"{field}.sources", "sources", source)


class Aftercare(Cited):
    """What to expect after a session and when to come back: one entry (`aftercare.yaml`).

    `soreness_hours` and `relief_days` are the ranges the note and the client are told;
    `soreness_advice` finishes the soreness sentence; `rebook_days.usual` is the interval
    the note suggests until the client's own relief reports give a better one."""

    soreness_hours: Span
    soreness_advice: Text
    relief_days: Span
    rebook_days: Span
    # When the client is asked whether the pain is back: optional, so a folder without it
    # still loads (no follow-ups are then sent).
    relief_check_days: Days | None = None
    # When soreness the 24 h check-in found not fading is asked about again (and still not
    # fading alerts the therapist): optional likewise; past the soreness window's end.
    soreness_recheck_hours: Hours | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _rebooking_has_a_usual_interval(self) -> Aftercare:
        if self.rebook_days.usual is None:
            raise ValueError("rebook_days needs a usual interval")
        recheck = self.soreness_recheck_hours
        if recheck is not None and recheck.hours <= self.soreness_hours.high:
            raise ValueError(
                f"soreness_recheck_hours ({recheck.hours}) must come after the "
                f"{self.soreness_hours.high} h by which soreness usually fades"
            )
        return self

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        yield from self.soreness_hours.references("soreness_hours")
        yield from self.relief_days.references("relief_days")
        yield from self.rebook_days.references("rebook_days")
        if self.relief_check_days is not None:
            yield from self.relief_check_days.references("relief_check_days")
        if self.soreness_recheck_hours is not None:
            yield from self.soreness_recheck_hours.references("soreness_recheck_hours")

    @classmethod
    def check_entries(cls, entries: Sequence[Entry]) -> Iterator[tuple[str, str, str]]:
        for extra in entries[1:]:
            yield extra.id, "id", f"only one aftercare entry is allowed ({entries[0].id} is one)"
