"""The outcome plot: an SVG of one instrument's scores with the band of change smaller
than the threshold shaded around the baseline; self-contained and escaped."""

from __future__ import annotations

import itertools
import re

from myomap.core.kb import load_default
from myomap.core.outcomes.plot import band, plot

KB = load_default()


def test_the_band_is_the_smaller_of_the_points_and_the_percent() -> None:
    rmdq = KB.instruments["rmdq"]
    # 30% of 14 is below 5 points better; a worsening is judged by the 5 points alone
    assert band(rmdq, 14) == (14 - 4.2, 14 + 5)
    assert band(rmdq, 20) == (15, 24)  # 5 points, clipped to the range
    assert band(rmdq, 0) == (0, 5)  # no percent of a zero baseline


def test_a_score_outside_the_band_is_one_whose_change_reaches_the_threshold() -> None:
    # NPRS 3 -> 4 is 33% higher but one point: not past the 2 points a worsening needs, so
    # the band must hold it (a band of 30% either side, 2.1 to 3.9, left it outside)
    from myomap.core.outcomes import change, score

    nprs = KB.instruments["nprs"]
    assert band(nprs, 3) == (2.1, 5)
    rmdq, psfs = KB.instruments["rmdq"], KB.instruments["psfs"]
    for inst, scores in (
        (nprs, [score(nprs, [v]) for v in range(11)]),
        (rmdq, [score(rmdq, [1] * n + [0] * (24 - n)) for n in range(25)]),
        (psfs, [score(psfs, [v, v, v]) for v in range(11)]),
    ):
        for before, after in itertools.product(scores, repeat=2):
            shaded = band(inst, before.score)
            assert shaded is not None
            moved = change(inst, before, after)
            if shaded[0] < after.score < shaded[1]:
                assert moved.reaches_threshold is False, moved.sentence
            elif after.score < shaded[0] or after.score > shaded[1]:
                assert moved.reaches_threshold is True, moved.sentence


def test_psfs_shades_its_detectable_change_and_peg_none() -> None:
    assert band(KB.instruments["psfs"], 4) == (2, 6)
    assert band(KB.instruments["peg"], 5) is None
    svg = plot(KB.instruments["peg"], [("1 Dec", 6.0), ("8 Dec", 4.0)])
    assert "mcid-band" not in svg and svg.count('class="point"') == 2


def test_the_plot_is_one_accessible_svg_with_nothing_outside_it() -> None:
    svg = plot(KB.instruments["rmdq"], [("1 Dec", 14.0), ("8 Dec", 11.0), ("15 Dec", 8.0)])
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg.endswith("</svg>")
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "RMDQ over time (0 to 24, higher is worse)" in svg
    assert "Scores: 1 Dec: 14; 8 Dec: 11; 15 Dec: 8." in svg
    assert not re.search(r"<script|<style|style=|href=|url\(", svg)
    assert svg.count('class="point"') == 3 and svg.count("<polyline") == 1


def test_one_point_is_drawn_without_a_line() -> None:
    svg = plot(KB.instruments["nprs"], [("1 Dec", 6.0)])
    assert svg.count('class="point"') == 1 and "<polyline" not in svg
    assert 'class="mcid-band"' in svg


def test_labels_are_escaped() -> None:
    svg = plot(KB.instruments["nprs"], [("<b>&", 6.0), ("x", 3.0)])
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg


DATE = re.compile(r'<text x="([0-9.]+)" y="[0-9.]+" text-anchor="(\w+)" fill="#1f2937">([^<]+)<')


def date_labels(svg: str) -> list[tuple[float, str, str]]:
    return [(float(x), anchor, text) for x, anchor, text in DATE.findall(svg)]


def clear_of_each_other(labels: list[tuple[float, str, str]]) -> bool:
    """No two date labels overlap (a character is about 0.62 of the font wide)."""
    font = float(re.search(r'font-size="([0-9.]+)"', PLOT_FONT).group(1))  # type: ignore[union-attr]
    spans = []
    for x, anchor, text in labels:
        wide = len(text) * 0.62 * font
        start = {"start": x, "middle": x - wide / 2, "end": x - wide}[anchor]
        spans.append((start, start + wide))
    return all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


PLOT_FONT = plot(KB.instruments["nprs"], [("1 Dec", 6.0)])


def test_many_points_label_only_some_dates() -> None:
    points = [(f"d{n}", float(n % 10)) for n in range(20)]
    labels = date_labels(plot(KB.instruments["nprs"], points))
    assert labels[0][2] == "d0" and labels[-1][2] == "d19" and len(labels) < 20
    assert clear_of_each_other(labels)


def test_a_day_with_several_scores_is_labelled_once_and_labels_never_collide() -> None:
    """Two NPRS on 14 Nov and two on 28 Nov: '14 Nov' once, and '28 Nov' gives way to the
    last date ('3 Dec') it would run into; the points sit on a time axis."""
    points = [
        ("14 Nov", 7.0),
        ("14 Nov", 6.0),
        ("21 Nov", 5.0),
        ("28 Nov", 4.0),
        ("28 Nov", 3.0),
        ("3 Dec", 3.0),
    ]
    svg = plot(KB.instruments["nprs"], points, days=[0, 0.25, 7, 14, 14.3, 19])
    labels = date_labels(svg)
    assert [text for _, _, text in labels] == ["14 Nov", "21 Nov", "3 Dec"]
    assert clear_of_each_other(labels)
    xs = [float(x) for x in re.findall(r'<circle class="point" cx="([0-9.]+)"', svg)]
    # a week is a week wide: 14 -> 21 Nov as far as 21 -> 28 Nov, the same day close by
    assert abs((xs[2] - xs[0]) - (xs[3] - xs[2])) < 0.2 and xs[1] - xs[0] < 5
    assert svg.count('class="point"') == 6  # every score is drawn, labelled or not


def test_the_labels_are_at_least_13_px_on_a_phone() -> None:
    """The plot is drawn about 300 CSS px wide on a 390 px phone: a font of 13 view units
    in a viewBox 300 wide is 13 px there."""
    width = float(re.search(r'viewBox="0 0 ([0-9.]+) ', PLOT_FONT).group(1))  # type: ignore[union-attr]
    font = float(re.search(r'font-size="([0-9.]+)"', PLOT_FONT).group(1))  # type: ignore[union-attr]
    assert font * 300 / width >= 13


def test_the_axis_runs_to_the_top_of_the_range_and_labels_it() -> None:
    """RMDQ scores 24 and 21 sit on a labelled axis that ends at 24, not above a '20'."""
    svg = plot(KB.instruments["rmdq"], [("1 Mar", 24.0), ("8 Mar", 21.0)])
    labels = re.findall(r'text-anchor="end" fill="[^"]+">([0-9.]+)</text>', svg)
    assert labels == ["0", "5", "10", "15", "20", "24"]
    top_line = re.search(r'y1="([0-9.]+)" y2="[0-9.]+" stroke="#e5e7eb"[^>]*/><text[^>]*>24<', svg)
    first_point = re.search(r'<circle class="point" cx="[0-9.]+" cy="([0-9.]+)"', svg)
    assert top_line and first_point and top_line.group(1) == first_point.group(1)
    # NPRS 0-10 keeps its round steps
    nprs = plot(KB.instruments["nprs"], [("1 Mar", 7.0)])
    assert re.findall(r'text-anchor="end" fill="[^"]+">([0-9.]+)</text>', nprs) == [
        "0",
        "2",
        "4",
        "6",
        "8",
        "10",
    ]


def test_the_top_of_a_short_range_is_not_crowded_by_the_step_below_it() -> None:
    """STarT Back's 0 to 9: the 9 at the top, no 8 a line below it."""
    svg = plot(KB.instruments["startback"], [("1 Mar", 7.0)])
    labels = re.findall(r'text-anchor="end" fill="[^"]+">([0-9.]+)</text>', svg)
    assert labels == ["0", "2", "4", "6", "9"]


def test_a_long_series_draws_smaller_points_that_stay_apart() -> None:
    few = plot(KB.instruments["nprs"], [("1 Mar", 7.0), ("8 Mar", 5.0)])
    many = plot(KB.instruments["nprs"], [(f"d{n}", float(n % 10)) for n in range(26)])
    assert few.count('r="5"') == 2 and many.count('r="3.5"') == 26
