"""What the outcome sections of the client record and the visit page show, built from
the query layer: each series with its sentence, plot and table rows; what is due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from myomap.clients.models import Client
from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes.activities import ActivityChange
from myomap.core.outcomes.change import THRESHOLD_NAMES
from myomap.core.outcomes.plot import band, plot
from myomap.core.outcomes.scoring import number
from myomap.outcomes import queries
from myomap.outcomes.models import QuestionnaireResponse
from myomap.visits import queries as visit_queries
from myomap.visits.models import Visit

# date, score, band, visit id, response id, answered by the client in their portal
Row = tuple[str, int | float, str, int | None, int, bool]


@dataclass(frozen=True)
class Earlier:
    """An earlier episode of care, shown apart (greyed) from the current one."""

    label: str
    sentence: str
    rows: list[Row]


@dataclass(frozen=True)
class Shown:
    series: queries.Series
    sentence: str
    episode: str  # 'since the intake of 3 Mar 2026', or ''
    svg: SafeString | None
    rows: list[Row]
    band: tuple[int | float, int | float] | None
    activities: tuple[ActivityChange, ...] = ()
    earlier: tuple[Earlier, ...] = ()
    voided: tuple[str, ...] = ()

    @property
    def threshold_name(self) -> str:
        """'minimal important change', 'minimal detectable change' (the plot's caption, in
        the core's words); '' without a threshold."""
        threshold = self.series.instrument.change
        return "" if threshold is None else THRESHOLD_NAMES[threshold.kind]

    @property
    def recent(self) -> list[Row]:
        """The rows beside the plot: all of a short series; of a long one, the baseline and
        the latest few (every score is in the full table below it, and in the plot)."""
        return self.rows if len(self.rows) <= SHOWN_ROWS else [self.rows[0], *self.rows[-5:]]


SHOWN_ROWS = 8  # a longer series shows its baseline and latest 5 beside the plot


def day(moment: Any) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y}"


def short_day(moment: Any, points: Sequence[queries.Point]) -> str:
    """'3 Dec' under the plot, '3 Dec 26' when the points span more than one year."""
    local = timezone.localtime(moment)
    years = {timezone.localtime(p.taken_at).year for p in points}
    return f"{local.day} {local:%b}" + (f" {local:%y}" if len(years) > 1 else "")


def since(episode: queries.Episode) -> str:
    """'since the intake of 3 Mar 2026' (an episode of care begins with its intake); 'the
    intake of 3 Mar 2026 and the scores before it' when its first score predates the intake
    (scores from before any intake join the first episode), so the words stay true."""
    if episode.since is None:
        return ""
    intake = timezone.localtime(episode.since).date()
    if episode.points and timezone.localtime(episode.baseline.taken_at).date() < intake:
        return f"the intake of {day(episode.since)} and the scores before it"
    return f"since the intake of {day(episode.since)}"


def plot_day(moment: Any) -> float:
    """Where a score sits on the plot's time axis: its local day, and the time of day as a
    fraction (two scores of one day side by side, in their order)."""
    local = timezone.localtime(moment)
    return local.toordinal() + (local.hour * 60 + local.minute) / 1440


def _rows(episode: queries.Episode) -> list[Row]:
    """The table's rows; a day with two or more scores gives each its time ('3 Dec 2026,
    09:00'), so the rows read apart."""
    days = [timezone.localtime(p.taken_at).date() for p in episode.points]
    return [
        (
            day(p.taken_at)
            + (f", {timezone.localtime(p.taken_at):%H:%M}" if days.count(on) > 1 else ""),
            number(p.score),
            p.band or "",
            p.visit_id,
            p.response_id,
            p.by_client,
        )
        for p, on in zip(episode.points, days, strict=True)
    ]


def _sentence(inst: Instrument, episode: queries.Episode) -> str:
    if episode.sentence is not None:
        return episode.sentence
    only = episode.baseline
    return (
        f"{inst.short} {number(only.score)} on {day(only.taken_at)}: the baseline; "
        "a second score shows the change"
    )


def section(user: Any, client: Client) -> dict[str, Any]:
    """The client record's Outcomes section: per instrument, the current episode of care
    (its change, plot and table), the earlier episodes apart, the voided responses."""
    shown = []
    for series in queries.series_for(user, client):
        inst = series.instrument
        voided = tuple(_voided(inst, v) for v in series.voided)
        current = series.current
        if current is None:
            sentence = f"Every {inst.short} entered was voided: none is counted"
            shown.append(Shown(series, sentence, "", None, [], None, voided=voided))
            continue
        points = [(short_day(p.taken_at, current.points), p.score) for p in current.points]
        shaded = band(inst, current.baseline.exact)
        earlier = tuple(
            Earlier(
                f"Earlier episode of care, {since(e) or 'before any intake'}",
                _sentence(inst, e),
                _rows(e),
            )
            for e in reversed(series.earlier)
        )
        shown.append(
            Shown(
                series,
                _sentence(inst, current),
                since(current),
                # the plot escapes its text
                mark_safe(
                    plot(
                        inst,
                        points,
                        ident=f"outcome-{inst.id}",
                        days=[plot_day(p.taken_at) for p in current.points],
                        baseline=current.baseline.exact,
                    )
                ),
                _rows(current),
                None
                if shaded is None
                else (number(round(shaded[0], 1)), number(round(shaded[1], 1))),
                current.activities,
                earlier,
                voided,
            )
        )
    return {
        "client": client,
        "shown": shown,
        "instruments": queries.instruments(),
        "drawings": drawings(user, client),
    }


def _voided(inst: Instrument, v: queries.Voided) -> str:
    """'RMDQ 14 of 3 Dec 2026, voided on 4 Dec 2026: entered for the wrong client
    (corrected)'."""
    corrected = " (corrected: the correction is in the table)" if v.replaced_by else ""
    return (
        f"{inst.short} {number(v.score)} of {day(v.taken_at)}, voided on {day(v.voided_at)}: "
        f"{v.reason.rstrip().rstrip('.')}{corrected}"
    )


def response(found: QuestionnaireResponse, form: Any) -> dict[str, Any]:
    """One response's page: its answers item by item, how it was voided or the forms."""
    inst = load_default().instruments[found.instrument]
    answers = [
        (
            item,
            found.answers[i] if i < len(found.answers) else None,
            found.activities[i] if i < len(found.activities) else "",
        )
        for i, item in enumerate(inst.items)
    ]
    return {
        "client": found.client,
        "found": found,
        "instrument": inst,
        "answers": answers,
        "score": number(found.total),
        "taken": day(found.taken_at),
        "form": form,
        "replaced_by": getattr(found, "replaced_by", None),
    }


def voided_message(voided: QuestionnaireResponse) -> str:
    """What the therapist is told once a response is voided."""
    inst = load_default().instruments[voided.instrument]
    said = f"{inst.short} {number(voided.total)} of {day(voided.taken_at)} voided: it is kept, "
    said += "and no longer counted in the plot, the change or the report."
    note = visit_queries.latest_version(voided.visit) if voided.visit is not None else None
    if note is not None and note.is_signed:
        said += " The visit's signed note still lists it: amend the note to say so."
    elif note is not None:
        said += " The visit's draft note is marked as changed: redraft it from the record."
    return said


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
