"""The home program's rules (kind `home_program`, `home-program.yaml`): how many exercises
a program starts with, the bounds of each exercise's dose (sets, repetitions, hold
seconds, days a week), the self-release holds of the client's own trigger points, the
exercises a condition rules out at home (self-pressure with a blood thinner), and when
the client's log is flagged to the therapist. One entry; every number cites its sources
and `evidence` says how strong they are."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from myomap.core.kb.dosing import Span
from myomap.core.kb.models import Cited, Entry, Id, Ref, Text

ExerciseCategory = Literal["stretch", "strength", "core", "posture", "self-release", "mobility"]
Evidence = Literal["strong", "moderate", "weak", "expert-opinion"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Part):
    """A number with its sources and the strength of its evidence."""

    value: int = Field(ge=0)
    evidence: Evidence
    sources: tuple[Id, ...] = Field(min_length=1)
    note: Text


class Exclusion(_Part):
    """The exercises of `categories` a client with `contraindication` must not do at
    home; `reason` is what the therapist is told when one is refused."""

    contraindication: Id
    categories: tuple[ExerciseCategory, ...] = Field(min_length=1)
    reason: Text
    sources: tuple[Id, ...] = Field(min_length=1)


class HomeDose(_Part):
    """The bounds of an exercise's dose in a program; `usual` is where a new item starts."""

    sets: Span
    repetitions: Span
    hold_seconds: Span
    days_per_week: Span


class HomeProgramRules(Cited):
    max_exercises: Rule  # a program built from a visit holds at most this many
    dose: HomeDose
    self_release_hold_seconds: Span  # a self-release item's hold (low-high, usual)
    self_release_precautions: tuple[Text, ...] = Field(min_length=1)
    exclusions: tuple[Exclusion, ...] = ()
    stopped_logging_days: Rule  # no log entry for this many days: flagged
    pain_flag_from: Rule  # a logged pain of this much (0-10) or more: flagged
    note: Text | None = None

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        for name in ("max_exercises", "stopped_logging_days", "pain_flag_from"):
            rule: Rule = getattr(self, name)
            for source in rule.sources:
                yield Ref(f"{name}.sources", "sources", source)
        for name in ("sets", "repetitions", "hold_seconds", "days_per_week"):
            yield from getattr(self.dose, name).references(f"dose.{name}")
        yield from self.self_release_hold_seconds.references("self_release_hold_seconds")
        for i, ex in enumerate(self.exclusions):
            yield Ref(f"exclusions[{i}].contraindication", "contraindications", ex.contraindication)
            for source in ex.sources:
                yield Ref(f"exclusions[{i}].sources", "sources", source)

    @classmethod
    def check_entries(cls, entries: Sequence[Entry]) -> Iterator[tuple[str, str, str]]:
        for extra in entries[1:]:
            first = entries[0].id
            yield extra.id, "id", f"only one home_program entry is allowed ({first} is one)"
