"""Clinical kinds of the knowledge base: muscles, trigger points, examination, treatment
and safety. Every one of them cites its sources (see `Cited`).

Region references are side-agnostic base ids from regions.yaml ("buttock-upper", not
"buttock-upper-left"): a trigger point's side is decided when it is examined, and its
`laterality` says on which side its zones then lie.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from myomap.core.kb.dosing import Dose
from myomap.core.kb.models import Cited, Confidence, Entry, Id, Ref, Text
from myomap.core.vocab import LEVEL_WORDS, URGENCY_WORDS, Level, Urgency


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Factor(Cited):
    """An NMT factor that causes or sustains pain (ischemia, postural distortion...)."""

    name: Text
    description: Text


class Finding(Entry):
    """A named examination finding that exercises and techniques address ("tight hip flexors")."""

    name: Text
    category: Literal["posture", "movement", "length", "strength", "palpation", "habit"]
    description: Text | None = None
    muscles: tuple[Id, ...] = ()

    def references(self) -> Iterator[Ref]:
        for muscle in self.muscles:
            yield Ref("muscles", "muscles", muscle)


class Muscle(Cited):
    name: Text
    aliases: tuple[Text, ...] = ()
    origin: Text
    insertion: Text
    action: Text
    innervation: Text
    perpetuating_factors: tuple[Id, ...] = ()
    perpetuating_notes: Text | None = None
    positioning: Text
    palpation: Text
    technique_notes: Text | None = None
    low_back_target: bool = False
    confidence: Confidence = "high"
    note: Text | None = None

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        for factor in self.perpetuating_factors:
            yield Ref("perpetuating_factors", "factors", factor)


class Location(_Part):
    region: Id
    description: Text


class Zone(_Part):
    region: Id
    kind: Literal["essential", "spillover"]


class Prevalence(_Part):
    """Share of people with low back pain who have this trigger point, as a range 0..1."""

    active: tuple[float, float] | None = None
    latent: tuple[float, float] | None = None
    source: Id

    @model_validator(mode="after")
    def _ranges_are_fractions(self) -> Prevalence:
        for rng in (self.active, self.latent):
            if rng is not None and not 0.0 <= rng[0] <= rng[1] <= 1.0:
                raise ValueError("prevalence ranges are fractions 0..1, low first")
        return self


class TriggerPoint(Cited):
    muscle: Id
    name: Text
    location: Location
    zones: tuple[Zone, ...] = Field(min_length=1)
    laterality: Literal["ipsilateral", "bilateral", "midline"]
    prevalence: Prevalence | None = None
    confidence: Confidence = "moderate"
    note: Text | None = None

    @model_validator(mode="after")
    def _has_an_essential_zone(self) -> TriggerPoint:
        if not any(zone.kind == "essential" for zone in self.zones):
            raise ValueError("a trigger point needs at least one essential zone")
        regions = [zone.region for zone in self.zones]
        if len(regions) != len(set(regions)):
            raise ValueError("a region is listed twice in zones")
        return self

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        yield Ref("muscle", "muscles", self.muscle)
        yield Ref("location.region", "regions", self.location.region)
        for zone in self.zones:
            yield Ref("zones.region", "regions", zone.region)
        if self.prevalence is not None:
            yield Ref("prevalence.source", "sources", self.prevalence.source)


class ExamTest(Cited):
    """A trigger point criterion, movement test or special test, and what it implicates."""

    name: Text
    category: Literal["trigger-point-criterion", "movement", "special", "measurement"]
    procedure: Text
    positive: Text
    implicates: tuple[Id, ...] = ()
    records: tuple[Id, ...] = ()
    confidence: Confidence = "moderate"

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        for muscle in self.implicates:
            yield Ref("implicates", "muscles", muscle)
        for finding in self.records:
            yield Ref("records", "findings", finding)


class Technique(Cited):
    """A hands-on technique. `dosage` says the dose in words, `dose` in numbers (see
    `dosing.Dose`). `plan_order` ranks the techniques the planner may propose for a
    trigger point: 1 is its first choice, the next allowed one is used when screening
    rules it out; a technique without it is never proposed, only chosen by hand."""

    name: Text
    description: Text
    dosage: Text
    pressure: Literal["none", "light", "moderate", "deep"]
    feedback: tuple[Text, ...] = ()
    dose: Dose
    plan_order: int | None = Field(None, ge=1)

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        yield from self.dose.references()

    @classmethod
    def check_entries(cls, entries: Sequence[Entry]) -> Iterator[tuple[str, str, str]]:
        first: dict[int, str] = {}
        for entry in entries:
            rank = getattr(entry, "plan_order", None)
            if rank is None:
                continue
            if rank in first:
                yield entry.id, "plan_order", f"plan order {rank} is already {first[rank]!r}'s"
            first.setdefault(rank, entry.id)


class Exercise(Cited):
    name: Text
    category: Literal["stretch", "strength", "core", "posture", "self-release", "mobility"]
    steps: tuple[Text, ...] = Field(min_length=1)
    dosage: Text
    addresses: tuple[Id, ...] = ()
    muscles: tuple[Id, ...] = ()
    precautions: tuple[Text, ...] = ()
    illustration: str

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        for finding in self.addresses:
            yield Ref("addresses", "findings", finding)
        for muscle in self.muscles:
            yield Ref("muscles", "muscles", muscle)
        yield Ref("illustration", "files", self.illustration)


class Condition(Cited):
    name: Text
    aliases: tuple[Text, ...] = ()
    muscles: tuple[Id, ...] = ()
    coverage: Literal["full", "partial"]
    note: Text | None = None

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        for muscle in self.muscles:
            yield Ref("muscles", "muscles", muscle)


class RedFlag(Cited):
    name: Text
    category: Literal["cauda-equina", "cancer", "infection", "fracture", "inflammatory", "other"]
    urgency: Urgency
    question: Text
    action: Text
    confidence: Confidence = "high"
    note: Text | None = None

    @property
    def category_words(self) -> str:
        return self.category.replace("-", " ")

    @property
    def urgency_words(self) -> str:
        return URGENCY_WORDS.get(self.urgency, self.urgency)


class Modification(_Part):
    technique: Id
    how: Text


class ClearedRules(_Part):
    """What an ask-doctor condition still rules out once the doctor has cleared treatment:
    the clearance lifts the wait, not the condition's own limits. `areas` are the base
    regions those removals hold for (deep abdominal work in pregnancy: the abdomen)."""

    removes: tuple[Id, ...] = ()
    modifies: tuple[Modification, ...] = ()
    areas: tuple[Id, ...] = ()
    # The most pressure any technique may use over `areas` once cleared.
    max_pressure: Literal["light", "moderate"] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _limits_have_a_place(self) -> ClearedRules:
        if self.max_pressure is not None and not self.areas:
            raise ValueError("max_pressure needs the areas it holds for")
        return self


class Contraindication(Cited):
    """What a condition does to treatment. `avoid-locally` removes techniques over the
    affected area only; `precaution` changes how the session is run, not what is done.

    `areas` (avoid-locally only) are the base region ids the condition usually affects
    (a DVT: the lower limb), used when the exact area is not recorded; empty when the
    area cannot be predicted from the condition (a wound, an injection site)."""

    name: Text
    level: Level
    question: Text
    removes: tuple[Id, ...] = ()
    modifies: tuple[Modification, ...] = ()
    areas: tuple[Id, ...] = ()
    once_cleared: ClearedRules | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _areas_are_for_local_rules(self) -> Contraindication:
        if self.areas and self.level != "avoid-locally":
            raise ValueError("areas are only given for avoid-locally entries")
        if self.once_cleared is not None and self.level != "ask-doctor":
            raise ValueError("once_cleared is only given for ask-doctor entries")
        if self.once_cleared is None and self.level == "ask-doctor":
            raise ValueError(
                "an ask-doctor entry says what still applies once the doctor has cleared "
                "treatment (once_cleared; with only a note when nothing does)"
            )
        if len(self.areas) != len(set(self.areas)):
            raise ValueError("a region is listed twice in areas")
        return self

    @property
    def level_words(self) -> str:
        return LEVEL_WORDS.get(self.level, self.level)

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        for technique in self.removes:
            yield Ref("removes", "techniques", technique)
        for mod in self.modifies:
            yield Ref("modifies.technique", "techniques", mod.technique)
        for region in self.areas:
            yield Ref("areas", "regions", region)
        if self.once_cleared is not None:
            for technique in self.once_cleared.removes:
                yield Ref("once_cleared.removes", "techniques", technique)
            for mod in self.once_cleared.modifies:
                yield Ref("once_cleared.modifies.technique", "techniques", mod.technique)
            for region in self.once_cleared.areas:
                yield Ref("once_cleared.areas", "regions", region)


class Statement(Cited):
    """Evidence or expectations in plain words, for clients or therapists."""

    audience: Literal["client", "therapist"]
    topic: Text
    text: Text
    quality: Literal["high", "moderate", "low", "very-low"] | None = None
