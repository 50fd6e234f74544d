"""What the outcome sections of the client record and the visit page show, built from
the query layer: each series with its sentence, plot and table rows; what is due."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from myomap.clients.models import Client
from myomap.core.outcomes.plot import band, plot
from myomap.core.outcomes.scoring import number
from myomap.outcomes import queries
from myomap.visits.models import Visit


@dataclass(frozen=True)
class Shown:
    series: queries.Series
    sentence: str
    svg: SafeString
    rows: list[tuple[str, int | float, str, int | None]]  # date, score, band, visit id
    band: tuple[int | float, int | float] | None


def day(moment: Any) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y}"


def short_day(moment: Any, series: queries.Series) -> str:
    """'3 Dec' under the plot, '3 Dec 26' when the series spans more than one year."""
    local = timezone.localtime(moment)
    years = {timezone.localtime(p.taken_at).year for p in series.points}
    return f"{local.day} {local:%b}" + (f" {local:%y}" if len(years) > 1 else "")


def section(user: Any, client: Client) -> dict[str, Any]:
    """The client record's Outcomes section."""
    shown = []
    for series in queries.series_for(user, client):
        inst = series.instrument
        points = [(short_day(p.taken_at, series), p.score) for p in series.points]
        if series.change is not None:
            sentence = series.change.sentence
        else:
            only = series.baseline
            sentence = (
                f"{inst.short} {number(only.score)} on {day(only.taken_at)}: the baseline; "
                "a second score shows the change"
            )
        shaded = band(inst, series.baseline.score)
        shown.append(
            Shown(
                series,
                sentence,
                mark_safe(
                    plot(inst, points, ident=f"outcome-{inst.id}")
                ),  # the plot escapes its text
                [
                    (day(p.taken_at), number(p.score), p.band or "", p.visit_id)
                    for p in series.points
                ],
                None
                if shaded is None
                else (number(round(shaded[0], 1)), number(round(shaded[1], 1))),
            )
        )
    return {
        "client": client,
        "shown": shown,
        "instruments": queries.instruments(),
        "drawings": drawings(user, client),
    }


def percent(share: float) -> str:
    """'1.7%': one decimal, and never '0.0%' for a painted region."""
    value = round(share * 100, 1)
    return "under 0.1%" if share > 0 and value == 0 else f"{number(value)}%"


def drawings(user: Any, client: Client) -> dict[str, Any] | None:
    """The pain drawings over time: a sentence first to latest, and a row per intake."""
    found = queries.drawings_for(user, client)
    if not found:
        return None
    rows = [
        (d.intake_id, day(d.recorded_at), percent(d.painted.share), d.painted.regions, d.source)
        for d in found
    ]
    first, last = found[0], found[-1]
    if len(found) == 1:
        sentence = (
            f"Painted area {percent(first.painted.share)} of the figure "
            f"({_regions(first.painted.regions)}) on {day(first.recorded_at)}"
        )
    else:
        sentence = (
            f"Painted area {percent(first.painted.share)} → {percent(last.painted.share)} "
            f"of the figure ({_regions(first.painted.regions)} → "
            f"{_regions(last.painted.regions)}), {day(first.recorded_at)} to "
            f"{day(last.recorded_at)}"
        )
    return {"sentence": sentence, "rows": rows}


def _regions(count: int) -> str:
    return f"{count} region{'' if count == 1 else 's'}"


def due(visit: Visit) -> dict[str, Any]:
    """The visit page's list of what the clinic's schedule asks for now."""
    return {"visit": visit, "due": queries.due_at(visit), "instruments": queries.instruments()}
