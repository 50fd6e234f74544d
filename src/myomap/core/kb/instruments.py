"""Outcome questionnaires (kind `instruments`, `instruments.yaml`): the items and their
answers, the scoring rule, the score's range and direction, bands or risk groups, the
minimal important change, LOINC codes, the licence and the sources. Every number the
scoring uses lives here; `myomap.core.outcomes` only applies it.

No copyrighted wording is held: items carry their number and a short neutral label.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from myomap.core.kb.models import Cited, Entry, Id, Ref, Text

Loinc = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,7}-[0-9]$")]
Rule = Literal["sum", "mean", "percent-of-answered"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(_Part):
    """Both ends included."""

    low: float
    high: float

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high


class Option(_Part):
    """One answer: the value entered, its words, and the points it scores (the value
    itself unless said)."""

    value: int
    label: Text
    points: float | None = None

    @property
    def scored(self) -> float:
        return float(self.value) if self.points is None else self.points


class Scale(_Part):
    """The answers an item takes: a whole-number scale `low`..`high` (points = value), or
    a list of `options`."""

    id: Id
    low: int | None = None
    high: int | None = None
    low_label: Text | None = None
    high_label: Text | None = None
    options: tuple[Option, ...] = ()

    def values(self) -> tuple[int, ...]:
        if self.options:
            return tuple(o.value for o in self.options)
        return tuple(range(self.low or 0, (self.high or 0) + 1))

    def points(self, value: int) -> float:
        for option in self.options:
            if option.value == value:
                return option.scored
        return float(value)

    def point_range(self) -> tuple[float, float]:
        scored = [self.points(v) for v in self.values()] or [0.0]
        return min(scored), max(scored)

    def describe(self) -> str:
        """The allowed answers in words, for error messages: '0 to 10', '0 or 1'."""
        if self.options:
            values = [str(o.value) for o in self.options]
            return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]
        return f"a whole number from {self.low} to {self.high}"


class Item(_Part):
    """One item (section, statement, activity) by number and a short neutral label."""

    id: Id
    number: int = Field(ge=1)
    label: Text
    answers: Id
    required: bool = True
    # The client names what the item rates, in their own words (the PSFS's activities).
    named_by_client: bool = False


class ItemWord(_Part):
    """What the instrument's own form calls an item, as messages name one and many: the
    ODI's sections, the PSFS's activities; `item`/`items` unless said."""

    one: Text = "item"
    many: Text = "items"


class Subscale(_Part):
    id: Id
    label: Text
    items: tuple[Id, ...] = Field(min_length=1)
    range: Interval
    sources: tuple[Id, ...] = Field(min_length=1)


class Scoring(_Part):
    """`sum` adds the points; `mean` averages the answered items; `percent-of-answered`
    is the points over the most the answered items could score, times 100 (ODI).
    `max_missing` unanswered items are allowed (required items never), and at least
    `min_answered` must be answered."""

    rule: Rule
    max_missing: int = Field(default=0, ge=0)
    min_answered: int | None = Field(default=None, ge=1)
    decimals: int = Field(default=0, ge=0, le=3)
    note: Text | None = None
    sources: tuple[Id, ...] = Field(min_length=1)


class Band(_Part):
    """A band or risk group: it applies when the score lies in `score` and each named
    subscale in its interval. Bands are tried in order; the first that applies wins."""

    label: Text
    score: Interval | None = None
    subscales: dict[Id, Interval] = Field(default_factory=dict)


class Change(_Part):
    """The smallest change that counts: `points` and/or `percent` of the baseline; a
    change passes when it reaches either. `kind` says whether the sources give a
    minimal important change or only a minimal detectable change."""

    kind: Literal["minimal-important-change", "minimal-detectable-change"]
    points: float | None = Field(default=None, gt=0)
    percent: float | None = Field(default=None, gt=0, le=100)
    # Which changes the percent judges: a threshold given as "30% improvement from
    # baseline" (Ostelo 2008) says nothing of worsening, which is then judged by points.
    percent_for: Literal["improvement", "either"] = "either"
    # Below `floor` (or above `ceiling`) the scale has little room to show change: the
    # sentence says so.
    floor: float | None = None
    ceiling: float | None = None
    # The smallest change of one item on its own, where the sources give one (a single
    # PSFS activity: 3 points, Stratford 1995), for the change of each item the client
    # named.
    single_item_points: float | None = Field(default=None, gt=0)
    note: Text | None = None
    sources: tuple[Id, ...] = Field(min_length=1)


class Code(_Part):
    system: Literal["loinc"]
    code: Loinc
    display: Text
    sources: tuple[Id, ...] = Field(min_length=1)


class Licence(_Part):
    """Who holds the rights, what Myomap ships (`wording_shipped`) and why."""

    holder: Text
    terms: Text
    wording_shipped: bool
    sources: tuple[Id, ...] = Field(min_length=1)


class Instrument(Cited):
    name: Text
    short: Text
    measures: Text
    recall: Text | None = None
    direction: Literal["higher-is-worse", "higher-is-better"]
    scales: tuple[Scale, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    item_word: ItemWord = ItemWord()
    scoring: Scoring
    range: Interval
    subscales: tuple[Subscale, ...] = ()
    grouping: Literal["band", "risk"] | None = None
    bands: tuple[Band, ...] = ()
    change: Change | None = None
    codes: tuple[Code, ...] = ()
    licence: Licence
    disagreements: tuple[Text, ...] = ()

    @property
    def direction_words(self) -> str:
        """'higher is worse' or 'higher is better': as every page, plot and note says it."""
        return "higher is worse" if self.direction == "higher-is-worse" else "higher is better"

    def scale_of(self, item: Item) -> Scale:
        return next(s for s in self.scales if s.id == item.answers)

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        parts: list[tuple[str, tuple[str, ...]]] = [
            ("scoring.sources", self.scoring.sources),
            ("licence.sources", self.licence.sources),
        ]
        parts += [(f"subscales[{i}].sources", s.sources) for i, s in enumerate(self.subscales)]
        parts += [(f"codes[{i}].sources", c.sources) for i, c in enumerate(self.codes)]
        if self.change is not None:
            parts.append(("change.sources", self.change.sources))
        for at, sources in parts:
            for source in sources:
                yield Ref(at, "sources", source)

    def problems(self) -> Iterator[tuple[str, str]]:
        """What is inconsistent inside this entry, as (field, message)."""
        yield from _scale_problems(self)
        yield from _item_problems(self)
        yield from _scoring_problems(self)
        yield from _subscale_problems(self)
        yield from _band_problems(self)

    @classmethod
    def check_entries(cls, entries: Sequence[Entry]) -> Iterator[tuple[str, str, str]]:
        for entry in entries:
            assert isinstance(entry, Instrument)
            for at, message in entry.problems():
                yield entry.id, at, message


def item_points(instrument: Instrument, items: Sequence[Item]) -> tuple[float, float]:
    """The least and the most the given items can score together."""
    ranges = [instrument.scale_of(item).point_range() for item in items]
    return sum(r[0] for r in ranges), sum(r[1] for r in ranges)


def computed_range(instrument: Instrument) -> tuple[float, float]:
    """The range the scoring rule gives over every item, to check the declared one."""
    rule = instrument.scoring.rule
    if rule == "percent-of-answered":
        return 0.0, 100.0
    if rule == "mean":
        ranges = [instrument.scale_of(i).point_range() for i in instrument.items]
        return min(r[0] for r in ranges), max(r[1] for r in ranges)
    return item_points(instrument, instrument.items)


def _scale_problems(inst: Instrument) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for i, scale in enumerate(inst.scales):
        at = f"scales[{i}]"
        if scale.id in seen:
            yield at, f"scale '{scale.id}' is defined twice"
        seen.add(scale.id)
        numeric = scale.low is not None or scale.high is not None
        if numeric == bool(scale.options):
            yield at, "give either low and high or a list of options"
        elif numeric and (scale.low is None or scale.high is None or scale.low >= scale.high):
            yield at, "low and high must both be given, low below high"
        values = [o.value for o in scale.options]
        if len(values) != len(set(values)):
            yield f"{at}.options", "an answer value is listed twice"


def _item_problems(inst: Instrument) -> Iterator[tuple[str, str]]:
    scales = {s.id for s in inst.scales}
    ids = [item.id for item in inst.items]
    if len(ids) != len(set(ids)):
        yield "items", "an item id is used twice"
    for i, item in enumerate(inst.items):
        if item.number != i + 1:
            yield f"items[{i}].number", f"item {item.id} is number {item.number}, expected {i + 1}"
        if item.answers not in scales:
            yield f"items[{i}].answers", f"unknown scale '{item.answers}'"


def _scoring_problems(inst: Instrument) -> Iterator[tuple[str, str]]:
    if any(item.answers not in {s.id for s in inst.scales} for item in inst.items):
        return
    scoring = inst.scoring
    count = len(inst.items)
    if scoring.max_missing >= count:
        yield "scoring.max_missing", f"must be below the number of items ({count})"
    if scoring.min_answered is not None and scoring.min_answered > count:
        yield "scoring.min_answered", f"must be at most the number of items ({count})"
    low, high = computed_range(inst)
    if (inst.range.low, inst.range.high) != (low, high):
        declared = f"{inst.range.low:g} to {inst.range.high:g}"
        yield "range", f"the scoring gives {low:g} to {high:g}, not {declared}"


def _subscale_problems(inst: Instrument) -> Iterator[tuple[str, str]]:
    by_id = {item.id: item for item in inst.items}
    for i, sub in enumerate(inst.subscales):
        unknown = [x for x in sub.items if x not in by_id]
        if unknown:
            yield f"subscales[{i}].items", f"unknown item '{unknown[0]}'"
            continue
        low, high = item_points(inst, [by_id[x] for x in sub.items])
        if (sub.range.low, sub.range.high) != (low, high):
            yield f"subscales[{i}].range", f"its items give {low:g} to {high:g}"


def _band_problems(inst: Instrument) -> Iterator[tuple[str, str]]:
    if (inst.grouping is None) != (not inst.bands):
        yield "bands", "give bands together with a grouping (band or risk), or neither"
    subscales = {s.id for s in inst.subscales}
    for i, band in enumerate(inst.bands):
        at = f"bands[{i}]"
        if band.score is None and not band.subscales:
            yield at, f"band '{band.label}' has no condition"
        if band.score is not None and not _within(band.score, inst.range):
            yield f"{at}.score", f"band '{band.label}' lies outside the range"
        for sub in band.subscales:
            if sub not in subscales:
                yield f"{at}.subscales", f"unknown subscale '{sub}'"
    labels = [b.label for b in inst.bands]
    if len(labels) != len(set(labels)):
        yield "bands", "a band label is used twice"


def _within(inner: Interval, outer: Interval) -> bool:
    return outer.low <= inner.low <= inner.high <= outer.high
