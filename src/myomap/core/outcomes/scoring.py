"""`score(instrument, answers) -> Score`: one shape for every questionnaire.

The rule, the range, the missing-answer limits and the bands all come from the
instrument's knowledge-base entry: `sum` adds the points, `mean` averages the answered
items, `percent-of-answered` is the points over the most the answered items could score,
times 100 (the ODI's total / (5 x sections answered) x 100).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from myomap.core.kb.instruments import Band, Instrument, Item, Subscale
from myomap.core.outcomes.answers import Answer, Given, check, count_of, item_name
from myomap.core.outcomes.errors import OutcomeError


@dataclass(frozen=True)
class SubscaleScore:
    id: str
    label: str
    score: float
    low: float
    high: float


@dataclass(frozen=True)
class Score:
    """A scored questionnaire. `band` is the band or risk group (`grouping` says which)."""

    instrument: str
    short: str
    score: float
    low: float
    high: float
    direction: Literal["higher-is-worse", "higher-is-better"]
    grouping: Literal["band", "risk"] | None
    band: str | None
    answered: int
    items: int
    missing: tuple[str, ...]
    subscales: tuple[SubscaleScore, ...] = ()
    answers: tuple[Answer, ...] = ()
    unrounded: float | None = None
    """The score before rounding to the instrument's decimals (a PSFS mean of 10/3 is
    3.333..., shown 3.3); a change is computed from it. None: the score is exact."""

    @property
    def exact(self) -> float:
        """The value a change is computed from: `unrounded`, else `score`."""
        return self.score if self.unrounded is None else self.unrounded

    def as_json(self) -> dict[str, object]:
        """The stable JSON of `myomap score --json`."""
        data: dict[str, object] = {
            "instrument": self.instrument,
            "score": number(self.score),
            "range": [number(self.low), number(self.high)],
            "direction": self.direction,
        }
        if self.grouping is not None:
            data[self.grouping] = self.band
        data |= {
            "answered": self.answered,
            "items": self.items,
            "missing": list(self.missing),
            "subscales": {s.id: number(s.score) for s in self.subscales},
            "answers": list(self.answers),
        }
        return data


def score(instrument: Instrument, answers: Given) -> Score:
    """Score one questionnaire; raise OutcomeError naming the item for a bad answer set."""
    values = check(instrument, answers)
    _check_missing(instrument, values)
    answered = [
        (item, v) for item, v in zip(instrument.items, values, strict=True) if v is not None
    ]
    exact = _apply(instrument, answered)
    total = _round(exact, instrument.scoring.decimals)
    subscales = tuple(_subscale(instrument, sub, values) for sub in instrument.subscales)
    return Score(
        instrument=instrument.id,
        short=instrument.short,
        score=total,
        low=instrument.range.low,
        high=instrument.range.high,
        direction=instrument.direction,
        grouping=instrument.grouping,
        band=_band(instrument.bands, total, {s.id: s.score for s in subscales}),
        answered=len(answered),
        items=len(instrument.items),
        missing=tuple(i.id for i, v in zip(instrument.items, values, strict=True) if v is None),
        subscales=subscales,
        answers=values,
        unrounded=None if Decimal(str(total)) == exact else float(exact),
    )


def unrounded(instrument: Instrument, answers: Sequence[Answer], total: float) -> float | None:
    """The unrounded score of stored `answers` whose rounded score is `total` (None when
    the score is exact, or the answers no longer give `total`: the stored score stands).

        >>> unrounded(psfs, [3, 3, 4, None, None], 3.3)
        3.3333333333333335
    """
    try:
        values = check(instrument, answers)
    except OutcomeError:
        return None
    answered = [
        (item, v) for item, v in zip(instrument.items, values, strict=True) if v is not None
    ]
    if not answered:
        return None
    exact = _apply(instrument, answered)
    if Decimal(str(total)) == exact or _round(exact, instrument.scoring.decimals) != total:
        return None
    return float(exact)


def number(value: float) -> int | float:
    """A score as people write it: 14, not 14.0."""
    return int(value) if float(value).is_integer() else value


def _check_missing(instrument: Instrument, values: Sequence[Answer]) -> None:
    items = instrument.items
    for item, value in zip(items, values, strict=True):
        if value is None and item.required:
            raise OutcomeError(f"{item_name(instrument, item)}: an answer is required", item.id)
    missing = [item for item, value in zip(items, values, strict=True) if value is None]
    scoring = instrument.scoring
    answered = len(items) - len(missing)
    word = instrument.item_word
    if scoring.min_answered is not None and answered < scoring.min_answered:
        raise OutcomeError(
            f"{instrument.short}: {count_of(instrument, answered)} answered; "
            f"at least {scoring.min_answered} are needed ({word.one} {missing[0].number} is "
            "the first unanswered)",
            missing[0].id,
        )
    if len(missing) > scoring.max_missing:
        numbers = ", ".join(str(item.number) for item in missing)
        raise OutcomeError(
            f"{instrument.short}: {count_of(instrument, len(missing))} unanswered "
            f"({word.many} {numbers}); at most {scoring.max_missing} may be left unanswered",
            missing[0].id,
        )


def _apply(instrument: Instrument, answered: Sequence[tuple[Item, int]]) -> Decimal:
    scoring = instrument.scoring
    points = [Decimal(str(instrument.scale_of(item).points(v))) for item, v in answered]
    if scoring.rule == "sum":
        value = sum(points, Decimal(0))
    elif scoring.rule == "mean":
        value = sum(points, Decimal(0)) / len(points)
    else:
        most = sum(
            (Decimal(str(instrument.scale_of(item).point_range()[1])) for item, _ in answered),
            Decimal(0),
        )
        value = sum(points, Decimal(0)) / most * 100
    return value


def _round(value: Decimal, decimals: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _subscale(instrument: Instrument, sub: Subscale, values: Sequence[Answer]) -> SubscaleScore:
    by_id = {item.id: (item, v) for item, v in zip(instrument.items, values, strict=True)}
    total = sum(
        instrument.scale_of(item).points(v)
        for item, v in (by_id[x] for x in sub.items)
        if v is not None
    )
    return SubscaleScore(sub.id, sub.label, float(total), sub.range.low, sub.range.high)


def _band(bands: Sequence[Band], total: float, subscales: dict[str, float]) -> str | None:
    for band in bands:
        if band.score is not None and not band.score.holds(total):
            continue
        if all(interval.holds(subscales[sub]) for sub, interval in band.subscales.items()):
            return band.label
    return None
