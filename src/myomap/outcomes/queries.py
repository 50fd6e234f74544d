"""Reads of outcomes, shared by the web pages, the API and the command line: a client's
scores per instrument by episode of care (the series, and the change from the current
episode's baseline to the latest: `series.py`), the session note's lines for a visit, the
pain drawings, what is due at a visit, and the clinic's report. Who may see what is
decided here (through `visible_clients`), never in a view: another clinic's client is a
404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.http import Http404
from django.utils import timezone

from myomap.clients.models import Client, Intake, visible_clients
from myomap.core.bodymap.area import Painted, painted
from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes import Score, change
from myomap.core.outcomes.change import threshold_words
from myomap.core.outcomes.episodes import group
from myomap.core.outcomes.errors import OutcomeError
from myomap.core.outcomes.wording import Wording, parse_wording
from myomap.outcomes.models import (
    LicensedWording,
    QuestionnaireResponse,
    ScheduleRule,
    stored_score,
)
from myomap.outcomes.series import VISITS, Care, care_from, taken_at_visit
from myomap.outcomes.series import Episode as Episode
from myomap.outcomes.series import Point as Point
from myomap.outcomes.series import Series as Series
from myomap.outcomes.series import Voided as Voided
from myomap.outcomes.series import care_of as care_of
from myomap.outcomes.series import episode_baseline as episode_baseline
from myomap.outcomes.series import note_lines as note_lines
from myomap.outcomes.series import responses_for as responses_for
from myomap.outcomes.series import series_for as series_for
from myomap.records.access import visible_or_404
from myomap.records.prepared import Prepared, Staff, staff_clinic
from myomap.visits.models import Visit


def instruments() -> list[Instrument]:
    """Every instrument, in the knowledge base's order."""
    return list(load_default().instruments.values())


def response_for(user: Any, pk: int) -> QuestionnaireResponse:
    visible = QuestionnaireResponse.objects.visible_to(user).select_related("client")
    return visible_or_404(visible, pk, lambda r: r.client)  # type: ignore[no-any-return]


def client_response(user: Any, client: Client, pk: int) -> QuestionnaireResponse:
    """One of `client`'s responses (`client` read through `client_for`), else 404: the
    one rule of the response's page, its void and correct forms and the API's."""
    response = response_for(user, pk)
    if response.client_id != client.pk:
        raise Http404("no such response")
    return response


# ----------------------------------------------------------------------------- drawings
_DRAWINGS: Prepared[tuple[int, dt.datetime, dict[str, int] | None]] = Prepared(
    lambda client, clinic: (
        Intake.objects.filter(visible_clients(Staff(clinic), "client"), client=client)
        .order_by("recorded_at", "id")
        .values_list("id", "recorded_at", "pain_drawing")
    ),
    2,
)
_RULES = Prepared(lambda clinic: ScheduleRule.objects.filter(clinic=clinic), 1)


@dataclass(frozen=True)
class Drawn:
    """One pain drawing: an intake's, or a day of the client's pain diary (the regions
    they entered that day with pain above 0); how much of the figure it covers."""

    intake_id: int | None  # None for a diary day
    recorded_at: dt.datetime
    painted: Painted
    source: Literal["intake", "diary"] = "intake"


_DIARY: Prepared[tuple[str, int, dt.datetime]] = Prepared(
    lambda client: (
        _diary_model()
        ._default_manager.filter(client=client, pain__gt=0)
        .order_by("made_at", "id")
        .values_list("region", "pain", "made_at")
    ),
    1,
)


def _diary_model() -> Any:
    # The diary through the client's own relation: outcomes does not import the portal.
    return Client._meta.get_field("pain_diary").related_model


def drawings_for(user: Any, client: Client) -> list[Drawn]:
    """`client`'s pain drawings, oldest first: each intake's, and each day of the pain
    diary as one drawing; two queries. (A visit has no drawing of its own: it works from
    its intake's.) `client` was read through `client_for`, so it is this user's to see."""
    clinic = staff_clinic(user)
    rows: Iterable[tuple[int, dt.datetime, dict[str, int] | None]] = (
        _DRAWINGS.rows(client.pk, clinic)
        if clinic is not None
        else Intake.objects.filter(visible_clients(user, "client"), client=client)
        .order_by("recorded_at", "id")
        .values_list("id", "recorded_at", "pain_drawing")
    )
    found = [Drawn(pk, at, painted(drawing or {})) for pk, at, drawing in rows if drawing]
    days: dict[dt.date, tuple[dict[str, int], dt.datetime]] = {}
    for region, pain, made_at in _DIARY.rows(client.pk):
        drawing, _ = days.setdefault(timezone.localdate(made_at), ({}, made_at))
        drawing[region] = max(pain, drawing.get(region, 0))
        days[timezone.localdate(made_at)] = (drawing, made_at)
    found += [Drawn(None, at, painted(drawing), "diary") for drawing, at in days.values()]
    return sorted(found, key=lambda d: d.recorded_at)


# ----------------------------------------------------------------------------- due
AT_DISCHARGE = "at discharge, if this visit ends the course of care"


@dataclass(frozen=True)
class Due:
    """An instrument the clinic's schedule asks for at this visit, why, and the response
    already taken at it (None when not yet)."""

    instrument: Instrument
    why: tuple[str, ...]
    done: QuestionnaireResponse | None

    @property
    def only_at_discharge(self) -> bool:
        """Asked for at discharge only: a reminder for the visit that ends the course of
        care, not due at every visit (Myomap does not know which visit that is)."""
        return self.why == (AT_DISCHARGE,)


def due_at(visit: Visit) -> list[Due]:
    """What the clinic's schedule asks for at `visit`: at intake (the first visit after
    the visit's intake), every visit, every n-th visit of the client (counting all their
    visits), and what is asked at discharge (the visit that ends the course of care: the
    therapist knows which it is). Three queries at most, however many visits."""
    rules = _RULES.rows(visit.client.clinic_id)
    if not rules:
        return []
    # a client has tens of visits, not thousands: the earlier ones picked here
    before = [
        row
        for row in VISITS.rows(visit.client_id)
        if (row[1], row[2]) < (visit.started_at, visit.pk)
    ]
    number = len(before) + 1
    first_of_intake = all(intake != visit.intake_id for intake, _, _ in before)
    # taken at this visit, or with no visit (on the record, or by the client in the
    # portal) on the visit's day: done either way, as the note draft lists it
    done = {r.instrument: r for r in taken_at_visit(visit)}
    kb = load_default().instruments
    found = []
    for rule in rules:
        why = _why(rule, number, first_of_intake)
        if why and rule.instrument in kb:
            found.append(Due(kb[rule.instrument], why, done.get(rule.instrument)))
    return found


def readable_by_client(clinic_id: int | None, instrument: Instrument) -> bool:
    """The client can answer `instrument` alone only in its own words: shipped with
    Myomap, or loaded by the clinic under its licence. Without them the entry form shows
    numbered labels, for the therapist entering a paper form (ODI without its text)."""
    return instrument.licence.wording_shipped or wording_for(clinic_id, instrument) is not None


def due_for_client(client: Client, now: dt.datetime) -> list[Due]:
    """What `client` may answer in their portal now: what the clinic's schedule asks at
    their latest visit so far (`due_at`, the visit page's rules), not yet answered at it or
    since it began, in wording the client can read. What is asked only at discharge is
    left to the therapist (who knows which visit ends the course of care)."""
    visit = (
        Visit.objects.filter(client=client, started_at__lte=now)
        .select_related("client")
        .order_by("-started_at", "-id")
        .first()
    )
    if visit is None:
        return []
    asked = [
        due
        for due in due_at(visit)
        if due.done is None
        and not due.only_at_discharge
        and readable_by_client(client.clinic_id, due.instrument)
    ]
    if not asked:
        return []
    answered = set(
        QuestionnaireResponse.objects.in_use()
        .filter(client=client, taken_at__gte=visit.started_at)
        .values_list("instrument", flat=True)
    )
    return [due for due in asked if due.instrument.id not in answered]


def _why(rule: ScheduleRule, number: int, first_of_intake: bool) -> tuple[str, ...]:
    why = []
    if rule.at_intake and first_of_intake:
        why.append("at intake (the first visit after the intake)")
    if rule.every_visit:
        why.append("every visit")
    elif rule.every_nth and number % rule.every_nth == 0:
        why.append(f"every {rule.every_nth} visits (this is visit {number})")
    if rule.at_discharge:
        why.append(AT_DISCHARGE)
    return tuple(why)


def schedule_of(user: Any) -> dict[str, ScheduleRule]:
    """The clinic's schedule by instrument id."""
    return {r.instrument: r for r in ScheduleRule.objects.filter(clinic=user.clinic_id)}


# ----------------------------------------------------------------------------- report
@dataclass(frozen=True)
class ReportRow:
    """One instrument across the clinic's clients with at least two scores in their current
    episode of care: how many improved by at least the smallest change that counts (the
    episode's baseline to its latest), how many got worse by at least it. `improved` and
    `worse` are None without a threshold."""

    instrument: Instrument
    clients: int
    improved: int | None
    worse: int | None

    @property
    def share(self) -> float | None:
        if self.improved is None or not self.clients:
            return None
        return self.improved / self.clients

    @property
    def threshold(self) -> str:
        return threshold_words(self.instrument)

    @property
    def percent(self) -> str:
        """'13%' for 1 of 8: rounded half up, as every percent of a change is."""
        share = self.share
        if share is None:
            return "—"
        whole = (Decimal(self.improved or 0) * 100 / Decimal(self.clients)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        return f"{whole}%"


# the answers too: a change's percent is of the unrounded scores, as on each record
REPORT_COLUMNS = ("client_id", "instrument", "total", "band", "subscales", "answers")


def clinic_report(user: Any) -> list[ReportRow]:
    """Every instrument of the knowledge base, across the user's clinic: each client's
    current episode of care (that of their latest score), from its baseline to its latest
    score, as their record shows it. Three queries (the responses, intakes and visits)."""
    clinic = user.clinic_id
    rows = (
        QuestionnaireResponse.objects.in_use()
        .filter(client__clinic=clinic)
        .order_by("client_id", "instrument", "taken_at", "id")
        .values_list(*REPORT_COLUMNS, "taken_at", "visit__intake_id")
    )
    by_client: dict[int, list[tuple[int, dt.datetime]]] = {}
    for client_id, pk, at in Intake.objects.filter(client__clinic=clinic).values_list(
        "client_id", "id", "recorded_at"
    ):
        by_client.setdefault(client_id, []).append((pk, at))
    visits: dict[int, list[tuple[int, dt.datetime]]] = {}
    for client_id, intake_id, at in Visit.objects.filter(client__clinic=clinic).values_list(
        "client_id", "intake_id", "started_at"
    ):
        visits.setdefault(client_id, []).append((intake_id, at))
    series: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        series.setdefault((row[0], row[1]), []).append(row)
    cares: dict[int, Care] = {}
    ends: dict[str, list[tuple[Any, Any]]] = {}
    for (client_id, which), scores in series.items():
        if len(scores) < 2:
            continue
        care = cares.get(client_id)
        if care is None:
            care = cares[client_id] = care_from(
                by_client.get(client_id, []), visits.get(client_id, [])
            )
        current = _current(scores, care)
        if len(current) > 1:
            ends.setdefault(which, []).append((current[0], current[-1]))
    report = []
    for instrument in instruments():
        changes = [
            change(instrument, _score(instrument, first), _score(instrument, last))
            for first, last in ends.get(instrument.id, [])
        ]
        threshold = instrument.change is not None
        report.append(
            ReportRow(
                instrument,
                len(changes),
                sum(1 for c in changes if c.passes) if threshold else None,
                sum(1 for c in changes if c.reaches_threshold and c.direction == "worse")
                if threshold
                else None,
            )
        )
    return report


def _current(scores: Sequence[Any], care: Care) -> tuple[Any, ...]:
    """The report rows of the current episode (that of the latest score)."""
    return group(scores, lambda row: care.episode_of(row[7], row[6]))[-1].items


def _score(instrument: Instrument, row: Sequence[Any]) -> Score:
    _, _, total, band, subscales, answers = row[:6]
    return stored_score(instrument, total, band, subscales, answers)


# ----------------------------------------------------------------------------- wording
_WORDING = Prepared(
    lambda clinic: LicensedWording.objects.filter(clinic=clinic).order_by("instrument"), 1
)


def wordings_of(clinic_id: int | None) -> dict[str, LicensedWording]:
    """The licensed wordings the clinic has loaded, by instrument id."""
    if clinic_id is None:
        return {}
    return {w.instrument: w for w in _WORDING.rows(clinic_id)}


def wording_for(clinic_id: int | None, instrument: Instrument) -> Wording | None:
    """The clinic's licensed wording of `instrument`, checked again against the knowledge
    base as it is now (an entry changed since the file was loaded: the numbers again)."""
    stored = wordings_of(clinic_id).get(instrument.id)
    if stored is None:
        return None
    try:
        return parse_wording(instrument, stored.document)
    except OutcomeError:
        return None
