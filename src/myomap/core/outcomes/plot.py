"""`plot(instrument, points) -> str`: one instrument's scores over time as a small,
self-contained, accessible ``<svg>`` (no script, no style element, nothing loaded).

The band of change smaller than the instrument's threshold around the baseline is
shaded: a later score inside it has not moved by the smallest change that counts, one
outside it has (in either direction), as `change` judges it: towards better the smaller
of the threshold's points and its percent of the baseline, since reaching either passes;
towards worse the points alone where the percent is one of improvement (Ostelo 2008).
Colours are presentation attributes, so the page's Content-Security-Policy (no inline
styles) does not stop them; every text is escaped.

    >>> svg = plot(rmdq, [("3 Dec", 14.0), ("17 Dec", 8.0)])
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes.change import THRESHOLD_NAMES
from myomap.core.outcomes.scoring import number

# A phone draws the plot about 300-330 CSS px wide: 13 view units are 13 px or more there
# (12 units at 320 wide came out 11 px on a 390 px phone).
WIDTH, HEIGHT = 300.0, 190.0
LEFT, RIGHT, TOP, BOTTOM = 34.0, 12.0, 12.0, 34.0
FONT = 13
LINE, BAND, GRID, INK, MUTED = "#1d4ed8", "#dbeafe", "#e5e7eb", "#1f2937", "#6b7280"


def band(instrument: Instrument, baseline: float) -> tuple[float, float] | None:
    """The scores within the threshold of `baseline` (clipped to the range), or None.

    Each side is the change `change` would judge there: towards better, the smaller of the
    points and the percent of the baseline (reaching either passes); towards worse, the
    points alone where the percent is one of improvement (`percent_for: improvement`), so
    a score outside the band is one whose change reaches the threshold, either way:

        >>> band(rmdq, 14)  # 30% of 14 is 4.2 better; a worsening counts from 5 points
        (9.8, 19.0)
    """
    threshold = instrument.change
    if threshold is None:
        return None
    low, high = instrument.range.low, instrument.range.high
    points = [] if threshold.points is None else [threshold.points]
    percent = []
    if threshold.percent is not None and baseline != 0:
        percent = [abs(baseline) * threshold.percent / 100]
    better = points + percent
    worse = points + (percent if threshold.percent_for == "either" else [])
    if not better:
        return None
    # no criterion judges a worsening: the band runs to the range's end on that side
    worse_half = min(worse) if worse else high - low
    up, down = (worse_half, min(better))
    if instrument.direction == "higher-is-better":
        up, down = down, up
    return max(low, baseline - down), min(high, baseline + up)


def plot(
    instrument: Instrument,
    points: Sequence[tuple[str, float]],
    *,
    ident: str = "",
    days: Sequence[float] | None = None,
    baseline: float | None = None,
) -> str:
    """The series `points` (a label, usually the date, and the score), oldest first.

    `days` places each point on a time axis (its day number, a fraction for the time of
    day: two weeks apart are drawn twice as far apart as one); without it the points are
    evenly spaced. `baseline` is the first score unrounded (a change's percent is of it,
    so the band is too); the first point's score without it. A label is written once,
    under the first of its points (two scores of one day are one '3 Dec'), and only where
    it does not run into the one before."""
    low, high = instrument.range.low, instrument.range.high
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(points)
    spread = [float(i) for i in range(count)] if days is None else [float(d) for d in days]
    if len(spread) != count:
        raise ValueError(f"{count} points and {len(spread)} days")
    first, span = (spread[0], spread[-1] - spread[0]) if spread else (0.0, 0.0)

    def x(i: int) -> float:
        return LEFT + (inner_w / 2 if span <= 0 else inner_w * (spread[i] - first) / span)

    def y(value: float) -> float:
        return TOP + inner_h * (1 - (value - low) / (high - low))

    ident = ident or f"outcome-{instrument.id}"
    direction = instrument.direction_words
    title = f"{instrument.short} over time ({number(low)} to {number(high)}, {direction})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="outcome-plot" role="img" '
        f'viewBox="0 0 {WIDTH:g} {HEIGHT:g}" width="100%" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(_describe(instrument, points, baseline))}</desc>',
    ]
    if baseline is None and points:
        baseline = points[0][1]
    shaded = band(instrument, baseline) if baseline is not None else None
    if shaded is not None and instrument.change is not None:
        top, bottom = y(shaded[1]), y(shaded[0])
        name = THRESHOLD_NAMES[instrument.change.kind]
        parts.append(
            f'<rect class="mcid-band" x="{LEFT:g}" y="{top:.1f}" width="{inner_w:g}" '
            f'height="{bottom - top:.1f}" fill="{BAND}">'
            f"<title>within the {escape(name)} of the baseline</title></rect>"
        )
    for tick in _ticks(low, high):
        at = y(tick)
        parts.append(
            f'<line x1="{LEFT:g}" x2="{WIDTH - RIGHT:g}" y1="{at:.1f}" y2="{at:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6:g}" y="{at + FONT / 3:.1f}" text-anchor="end" '
            f'fill="{MUTED}">{number(tick)}</text>'
        )
    if points:
        baseline_y = y(points[0][1])
        parts.append(
            f'<line class="baseline" x1="{LEFT:g}" x2="{WIDTH - RIGHT:g}" y1="{baseline_y:.1f}" '
            f'y2="{baseline_y:.1f}" stroke="{MUTED}" stroke-width="1" stroke-dasharray="4 3"/>'
        )
    if count > 1:
        line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="2.5" '
            'stroke-linejoin="round"/>'
        )
    radius = 5 if count <= 12 else 3.5  # a long series' points apart, not one blue bar
    for i, (label, value) in enumerate(points):
        parts.append(
            f'<circle class="point" cx="{x(i):.1f}" cy="{y(value):.1f}" r="{radius:g}" '
            f'fill="{LINE}">'
            f"<title>{escape(label)}: {number(value)}</title></circle>"
        )
    for i, anchor in _labelled([label for label, _ in points], [x(i) for i in range(count)]):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + FONT + 6:g}" text-anchor="{anchor}" '
            f'fill="{INK}">{escape(points[i][0])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _labelled(labels: Sequence[str], xs: Sequence[float]) -> list[tuple[int, str]]:
    """The points whose label is written, with its anchor: each label once (under the first
    of its points), the first and the last always (kept inside the plot: the first starts
    at its point, the last ends at it), and between them only those clear of both
    neighbours written."""
    firsts = [i for i, label in enumerate(labels) if label not in labels[:i]]
    if not firsts:
        return []
    edge_left, edge_right = LEFT, WIDTH - RIGHT

    def extent(i: int, anchor: str) -> tuple[float, float]:
        wide = len(labels[i]) * 0.62 * FONT
        start = {"start": xs[i], "middle": xs[i] - wide / 2, "end": xs[i] - wide}[anchor]
        return start, start + wide

    def anchor_of(i: int) -> str:
        wide = len(labels[i]) * 0.62 * FONT
        if xs[i] - wide / 2 < edge_left:
            return "start"
        return "end" if xs[i] + wide / 2 > edge_right else "middle"

    last = firsts[-1]
    chosen = [(firsts[0], anchor_of(firsts[0]))]
    end = (last, "end" if anchor_of(last) != "start" else "start")
    for i in firsts[1:-1]:
        here = extent(i, "middle")
        before = extent(*chosen[-1])
        if here[0] >= before[1] + FONT / 2 and here[1] + FONT / 2 <= extent(*end)[0]:
            chosen.append((i, "middle"))
    if last != firsts[0] and extent(*end)[0] >= extent(*chosen[-1])[1] + FONT / 2:
        chosen.append(end)
    return chosen


def _ticks(low: float, high: float) -> list[float]:
    """About five round steps from low to high, and the top of the range always labelled
    (the RMDQ's 24 above 20): a round step too close to it gives way to it."""
    span = high - low
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 6)
    ticks, at = [], low
    while at <= high:
        ticks.append(at)
        at += step
    if ticks[-1] != high:
        if high - ticks[-1] <= step / 2 and len(ticks) > 1:
            ticks.pop()
        ticks.append(high)
    return ticks


def _describe(
    instrument: Instrument, points: Sequence[tuple[str, float]], baseline: float | None
) -> str:
    scores = "; ".join(f"{label}: {number(value)}" for label, value in points)
    if baseline is None and points:
        baseline = points[0][1]
    shaded = band(instrument, baseline) if baseline is not None else None
    if shaded is None or instrument.change is None:
        return f"Scores: {scores}."
    name = THRESHOLD_NAMES[instrument.change.kind]
    return (
        f"Scores: {scores}. Shaded: {number(round(shaded[0], 1))} to "
        f"{number(round(shaded[1], 1))}, within the {name} of the baseline."
    )
