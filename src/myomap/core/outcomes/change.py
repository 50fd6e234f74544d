"""`change(instrument, baseline, latest) -> Change`: baseline to latest, absolute and in
percent of the baseline (the percent from the unrounded scores: a PSFS mean of 3.33
shown 3.3), against the instrument's minimal important change, in words.

The words say what changed and by how much, never why: "RMDQ 14 → 8: improved by more
than the minimal important change (6 points, 43%: past the 5 points and the 30%)"; the
bracket names the criteria the change reached, so "RMDQ 12 → 8 ... (4 points, 33%: past
the 30%)" does not read as 4 points passing a threshold of 5. A change passes when it
reaches the points or the percent the knowledge base gives (either), in the better
direction; where the percent is a threshold of improvement (`percent_for: improvement`),
a worsening is judged by its points alone. A baseline past the scale's floor or ceiling is
said to be.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes.errors import OutcomeError
from myomap.core.outcomes.scoring import Score, number

Direction = Literal["improved", "worse", "unchanged"]
PRECISION = 9  # compare 30.000000000000004 % as 30 %

THRESHOLD_NAMES = {
    "minimal-important-change": "minimal important change",
    "minimal-detectable-change": "minimal detectable change",
}


@dataclass(frozen=True)
class Change:
    instrument: str
    baseline: float
    latest: float
    absolute: float
    """latest - baseline, in the score's own units (its sign is not better or worse)."""
    percent: float | None
    """absolute as a percentage of the baseline; None when the baseline is 0."""
    direction: Direction
    passes: bool | None
    """Improved by at least the threshold; None when the instrument has none."""
    reaches_threshold: bool | None
    """Moved (either way) by at least the threshold; None when there is none."""
    band_before: str | None
    band_after: str | None
    sentence: str
    """'RMDQ 14 → 8: improved by more than the minimal important change (6 points, 43%:
    past the 5 points and the 30%)'."""
    verdict: str = ""
    """The sentence without its scores: 'improved by more than the minimal ...'."""

    def as_json(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "baseline": number(self.baseline),
            "latest": number(self.latest),
            "absolute": number(self.absolute),
            "percent": self.percent,
            "direction": self.direction,
            "passes": self.passes,
            "reaches_threshold": self.reaches_threshold,
            "band_before": self.band_before,
            "band_after": self.band_after,
            "sentence": self.sentence,
        }


def change(instrument: Instrument, baseline: Score, latest: Score) -> Change:
    """The change from `baseline` to `latest`, both scores of `instrument`."""
    for which, score in (("baseline", baseline), ("latest", latest)):
        if score.instrument != instrument.id:
            raise OutcomeError(f"the {which} score is {score.short}, not {instrument.short}")
    # The points are those between the scores as shown ('PSFS 3.3 -> 6: 2.7 points'), so
    # the sentence adds up and two scores shown alike are no change; the percent is of the
    # unrounded scores (a PSFS 3.33 -> 6 is 80%, not the 82% of 3.3 -> 6.0). Rounding keeps
    # the order, so the two never disagree on the direction.
    digits = instrument.scoring.decimals
    absolute = round(latest.score - baseline.score, digits) + 0.0  # never -0.0
    moved = 0.0 if absolute == 0 else latest.exact - baseline.exact
    percent = round(moved / baseline.exact * 100, PRECISION) if baseline.exact != 0 else None
    better = -absolute if instrument.direction == "higher-is-worse" else absolute
    direction: Direction = "unchanged" if absolute == 0 else "improved" if better > 0 else "worse"
    reach = _reach(instrument, absolute, percent, direction)
    reaches = None if reach is None else reach != "below"
    passes = None if reaches is None else reaches and direction == "improved"
    verdict = _verdict(instrument, baseline, latest, direction, reach, absolute, percent)
    return Change(
        instrument=instrument.id,
        baseline=baseline.score,
        latest=latest.score,
        absolute=absolute,
        percent=None if percent is None else round(percent, 1),
        direction=direction,
        passes=passes,
        reaches_threshold=reaches,
        band_before=baseline.band,
        band_after=latest.band,
        sentence=f"{instrument.short} {_num(baseline.score)} → {_num(latest.score)}: {verdict}",
        verdict=verdict,
    )


def _reach(
    instrument: Instrument, absolute: float, percent: float | None, direction: Direction
) -> Literal["beyond", "at", "below"] | None:
    """How far the size of the change goes against the threshold (points or percent; the
    percent only for an improvement where the source gives it as one)."""
    if instrument.change is None:
        return None
    sizes = [
        (size, limit) for size, limit, _ in _criteria(instrument, absolute, percent, direction)
    ]
    if any(size > limit for size, limit in sizes):
        return "beyond"
    if any(size == limit for size, limit in sizes):
        return "at"
    return "below"


def _criteria(
    instrument: Instrument, absolute: float, percent: float | None, direction: Direction
) -> list[tuple[float, float, str]]:
    """Each criterion of the threshold the change is judged by, as (size, limit, its name:
    '5 points', '30%'); the percent only where it applies (see `_reach`)."""
    threshold = instrument.change
    if threshold is None:
        return []
    criteria: list[tuple[float, float, str]] = []
    if threshold.points is not None:
        criteria.append((abs(absolute), threshold.points, f"{_num(threshold.points)} points"))
    judged = threshold.percent_for == "either" or direction == "improved"
    if threshold.percent is not None and percent is not None and judged:
        criteria.append((abs(percent), threshold.percent, f"{_num(threshold.percent)}%"))
    return criteria


def _passed(
    instrument: Instrument, absolute: float, percent: float | None, direction: Direction
) -> str:
    """Which criteria the change reached: 'past the 30%', 'past the 5 points and the 30%',
    'past the 5 points and at the 30%' (a threshold of '5 points or 30%' is reached by
    either, so a 4-point change past the 30% reads as reaching it, not as an error)."""
    parts: list[str] = []
    last = ""
    for size, limit, name in _criteria(instrument, absolute, percent, direction):
        if size < limit:
            continue
        how = "past" if size > limit else "at"
        parts.append(f"the {name}" if how == last else f"{how} the {name}")
        last = how
    return " and ".join(parts)


def _verdict(
    instrument: Instrument,
    baseline: Score,
    latest: Score,
    direction: Direction,
    reach: Literal["beyond", "at", "below"] | None,
    absolute: float,
    percent: float | None,
) -> str:
    size = _size(absolute, percent)
    threshold = instrument.change
    if direction == "unchanged":
        body = "no change" if baseline.band == latest.band else "no change in the score"
    elif threshold is None or reach is None:
        lower = "lower" if absolute < 0 else "higher"
        better = "better" if direction == "improved" else "worse"
        points = abs(absolute)
        moved = f"{_num(points)} point{'' if points == 1 else 's'} {lower}"
        if percent is not None:
            moved += f" ({_percent(percent)})"
        body = f"{moved}, {better}; no minimal important change is set for {instrument.short}"
    else:
        verb = "improved" if direction == "improved" else "worse"
        name = THRESHOLD_NAMES[threshold.kind]
        if reach in ("beyond", "at"):
            passed = _passed(instrument, absolute, percent, direction)
            by = "by more than the" if reach == "beyond" else "by the"
            body = f"{verb} {by} {name} ({size}: {passed})"
        else:
            judged = threshold.percent_for == "either" or direction == "improved"
            limit = _limit(threshold.points, threshold.percent if judged else None)
            moved = _size(absolute, percent, brackets=True)
            body = f"{verb} by {moved}, less than the {name} ({limit})"
    if baseline.band != latest.band and instrument.grouping is not None:
        body += f"; {instrument.grouping} {baseline.band} → {latest.band}"
    return body + _room(instrument, baseline.score)


def _room(instrument: Instrument, baseline: float) -> str:
    """The caveat of a baseline past the scale's floor or ceiling, where it has little
    room to show change (the knowledge base's numbers)."""
    threshold = instrument.change
    if threshold is None:
        return ""
    if threshold.floor is not None and baseline < threshold.floor:
        edge = f"below the {instrument.short}'s floor of {_num(threshold.floor)}"
    elif threshold.ceiling is not None and baseline > threshold.ceiling:
        edge = f"above the {instrument.short}'s ceiling of {_num(threshold.ceiling)}"
    else:
        return ""
    return f"; the baseline is {edge}, where the scale has little room to show change"


def _size(absolute: float, percent: float | None, brackets: bool = False) -> str:
    """'6 points, 43%' (or '1 point (13%)'); percents rounded half up."""
    points = abs(absolute)
    text = f"{_num(points)} point{'' if points == 1 else 's'}"
    if percent is None:
        return text
    whole = _percent(percent)
    return f"{text} ({whole})" if brackets else f"{text}, {whole}"


def _percent(percent: float) -> str:
    return f"{Decimal(str(abs(percent))).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def threshold_words(instrument: Instrument) -> str:
    """'minimal important change: 5 points or 30%' (the report's words), or 'none set'."""
    threshold = instrument.change
    if threshold is None:
        return "none set"
    return f"{THRESHOLD_NAMES[threshold.kind]}: {_limit(threshold.points, threshold.percent)}"


def _limit(points: float | None, percent: float | None) -> str:
    parts = [f"{_num(points)} points"] if points is not None else []
    parts += [f"{_num(percent)}%"] if percent is not None else []
    return " or ".join(parts)


def _num(value: float) -> str:
    return str(number(value))
