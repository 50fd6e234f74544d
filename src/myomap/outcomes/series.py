"""A client's scores by episode of care, read for the record, the API and the session
note (the outcomes query layer's series; `queries` gives them under its own name).

An episode of care begins with an intake (`core.outcomes.episodes`): a score taken at a
visit is its intake's; one entered on the record, the care running that day's. Each
instrument's change is measured from the first score of its current episode (that of its
latest score), not from the client's first score ever; the earlier episodes stay beside
it. Voided responses are listed, never counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from myomap.clients.models import Client, Intake, visible_clients
from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes import Change, change, unrounded
from myomap.core.outcomes.activities import (
    ActivityChange,
    Rated,
    activity_changes,
    caveat,
    named,
)
from myomap.core.outcomes.episodes import Started, episode_of, group
from myomap.core.outcomes.note import activity_lines, score_line
from myomap.outcomes.models import QuestionnaireResponse, ResponseQuerySet
from myomap.records.prepared import Prepared, Staff, staff_clinic
from myomap.visits.models import Visit


def responses_for(user: Any, client: Client) -> ResponseQuerySet:
    """`client`'s responses this user may see, oldest first: staff see the voided ones too
    (`in_use()` leaves them out); a client reading their own never does, since a response
    voided as entered for the wrong client holds someone else's answers."""
    found = QuestionnaireResponse.objects.visible_to(user).filter(client=client)
    return found if staff_clinic(user) is not None else found.in_use()


@dataclass(frozen=True)
class Point:
    """One score of a series."""

    response_id: int
    taken_at: dt.datetime
    score: float
    band: str | None
    visit_id: int | None
    # the activities the client named, with their ratings (the PSFS), in item order
    activities: tuple[Rated, ...] = ()
    by_client: bool = False  # the client answered it in their portal
    unrounded: float | None = None  # the score before rounding (a PSFS 3.33 shown 3.3)

    @property
    def exact(self) -> float:
        """What a change and the plot's band are measured from: the unrounded score."""
        return self.score if self.unrounded is None else self.unrounded


@dataclass(frozen=True)
class Voided:
    """A response voided as entered in error: kept and listed, never counted."""

    response_id: int
    taken_at: dt.datetime
    score: float
    visit_id: int | None
    voided_at: dt.datetime
    reason: str
    replaced_by: int | None  # the correction's response id, if it was corrected


@dataclass(frozen=True)
class Episode:
    """One episode of care's scores of one instrument, oldest first (the first is the
    baseline), and the change from the baseline to the latest (None with one score);
    for an instrument whose items the client names (the PSFS), each activity's change."""

    intake_id: int | None
    since: dt.datetime | None  # when its intake was recorded; None without an intake
    points: tuple[Point, ...]
    change: Change | None
    activities: tuple[ActivityChange, ...] = ()

    @property
    def baseline(self) -> Point:
        return self.points[0]

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def sentence(self) -> str | None:
        """The change in words, and for the PSFS whether the activities are the
        baseline's (`activities.caveat`): the record's, the PDF's and the API's."""
        return None if self.change is None else self.change.sentence + caveat(self.activities)

    def change_json(self) -> dict[str, object] | None:
        """The change as the API gives it (`Change.as_json`, with this `sentence`)."""
        if self.change is None:
            return None
        return self.change.as_json() | {"sentence": self.sentence}


@dataclass(frozen=True)
class Series:
    """One instrument's scores of one client by episode of care, oldest first: the last
    episode (that of the latest score) is the current one, whose baseline the change is
    measured from; the voided responses beside them."""

    instrument: Instrument
    episodes: tuple[Episode, ...]
    voided: tuple[Voided, ...] = ()

    @property
    def current(self) -> Episode | None:
        return self.episodes[-1] if self.episodes else None

    @property
    def earlier(self) -> tuple[Episode, ...]:
        return self.episodes[:-1]

    @property
    def points(self) -> tuple[Point, ...]:
        """The current episode's."""
        return self.current.points if self.current else ()

    @property
    def change(self) -> Change | None:
        """From the current episode's baseline to its latest score."""
        return self.current.change if self.current else None

    @property
    def baseline(self) -> Point:
        return self.points[0]

    @property
    def latest(self) -> Point:
        return self.points[-1]


# The record, visit and note reads, compiled once (records.prepared).
_SERIES = Prepared(
    lambda client, clinic: (
        QuestionnaireResponse.objects.visible_to(Staff(clinic))
        .filter(client=client)
        .annotate(visit_intake=F("visit__intake_id"))
        .order_by("instrument", "taken_at", "id")
    ),
    2,
)
_STARTED_INTAKES: Prepared[tuple[int, dt.datetime]] = Prepared(
    lambda client, clinic: (
        Intake.objects.filter(visible_clients(Staff(clinic), "client"), client=client)
        .order_by("recorded_at", "id")
        .values_list("id", "recorded_at")
    ),
    2,
)
VISITS: Prepared[tuple[int, dt.datetime, int]] = Prepared(
    lambda client: Visit.objects.filter(client=client).values_list("intake_id", "started_at", "id"),
    1,
)
TAKEN_AT = Prepared(lambda visit: QuestionnaireResponse.objects.in_use().filter(visit=visit), 1)
_UNLINKED = Prepared(
    lambda client: QuestionnaireResponse.objects.in_use().filter(client=client, visit__isnull=True),
    1,
)


def taken_at_visit(visit: Visit) -> tuple[QuestionnaireResponse, ...]:
    """The responses counted as taken at `visit` (voided ones left out), oldest first, the
    visit's own last: those taken at it, and those with no visit (entered on the record,
    or answered by the client in the portal) on the visit's day. The one rule of the
    visit page's "done" and the note draft's lines. Two queries."""
    day = timezone.localdate(visit.started_at)
    same_day = [r for r in _UNLINKED.rows(visit.client_id) if timezone.localdate(r.taken_at) == day]
    own = sorted(TAKEN_AT.rows(visit.pk), key=lambda r: (r.taken_at, r.pk))
    return (*sorted(same_day, key=lambda r: (r.taken_at, r.pk)), *own)


@dataclass(frozen=True)
class Care:
    """What a client's episodes of care are cut by: each intake recorded and each visit
    started (`core.outcomes.episodes`), and when each intake was recorded."""

    started: tuple[Started, ...]
    intakes: dict[int, dt.datetime]

    def episode_of(self, visit_intake: int | None, taken_at: dt.datetime) -> int | None:
        return episode_of(self.started, visit_intake=visit_intake, day=timezone.localdate(taken_at))


def care_of(user: Any, client: Client) -> Care:
    """`client`'s intakes and visits as episodes of care (two queries); `client` was read
    through `client_for`, so it is this user's to see."""
    clinic = staff_clinic(user)
    intakes: Iterable[tuple[int, dt.datetime]] = (
        _STARTED_INTAKES.rows(client.pk, clinic)
        if clinic is not None
        else Intake.objects.filter(visible_clients(user, "client"), client=client).values_list(
            "id", "recorded_at"
        )
    )
    return care_from(list(intakes), [(i, at) for i, at, _ in VISITS.rows(client.pk)])


def care_from(
    intakes: Sequence[tuple[int, dt.datetime]], visits: Sequence[tuple[int, dt.datetime]]
) -> Care:
    started = [Started(pk, at, timezone.localdate(at)) for pk, at in intakes]
    started += [Started(intake, at, timezone.localdate(at)) for intake, at in visits]
    return Care(tuple(started), dict(intakes))


def series_for(user: Any, client: Client) -> list[Series]:
    """Every instrument `client` has a response of, in the knowledge base's order, by
    episode of care: three queries."""
    clinic = staff_clinic(user)
    if clinic is not None:
        rows: Iterable[QuestionnaireResponse] = _SERIES.rows(client.pk, clinic)
    else:
        rows = (
            responses_for(user, client)
            .annotate(visit_intake=F("visit__intake_id"))
            .order_by("instrument", "taken_at", "id")
        )
    return _series(list(rows), care_of(user, client))


def _visit_intake(response: QuestionnaireResponse) -> int | None:
    """The intake of the visit it was taken at (annotated by the series' reads)."""
    found: int | None = getattr(response, "visit_intake", None)
    return found


def point_of(response: QuestionnaireResponse) -> Point:
    instrument = load_default().instruments.get(response.instrument)
    return Point(
        response.pk,
        response.taken_at,
        response.total,
        response.band or None,
        response.visit_id,
        tuple(named(response.activities, response.answers)),
        response.via == QuestionnaireResponse.Via.PORTAL,
        None if instrument is None else unrounded(instrument, response.answers, response.total),
    )


def _series(rows: Sequence[QuestionnaireResponse], care: Care) -> list[Series]:
    grouped: dict[str, list[QuestionnaireResponse]] = {}
    for row in rows:
        grouped.setdefault(row.instrument, []).append(row)
    replaced = {r.replaces_id: r.pk for r in rows if r.replaces_id is not None}
    found = []
    for instrument in load_default().instruments.values():
        responses = grouped.get(instrument.id)
        if not responses:
            continue
        used = [r for r in responses if r.voided_at is None]
        episodes = group(used, lambda r: care.episode_of(_visit_intake(r), r.taken_at))
        voided = tuple(
            Voided(
                r.pk,
                r.taken_at,
                r.total,
                r.visit_id,
                r.voided_at,
                r.void_reason,
                replaced.get(r.pk),
            )
            for r in responses
            if r.voided_at is not None
        )
        found.append(
            Series(
                instrument,
                tuple(_episode(instrument, e.intake_id, e.items, care) for e in episodes),
                voided,
            )
        )
    return found


def _episode(
    instrument: Instrument,
    intake_id: int | None,
    responses: Sequence[QuestionnaireResponse],
    care: Care,
) -> Episode:
    first, last = responses[0], responses[-1]
    points = tuple(point_of(r) for r in responses)
    moved = None
    activities: tuple[ActivityChange, ...] = ()
    if len(responses) > 1:
        moved = change(instrument, first.to_core(instrument), last.to_core(instrument))
        if any(item.named_by_client for item in instrument.items):
            activities = activity_changes(instrument, points[0].activities, points[-1].activities)
    since = care.intakes.get(intake_id) if intake_id is not None else None
    return Episode(intake_id, since, points, moved, activities)


def episode_baseline(
    user: Any, client: Client, instrument: Instrument, visit: Visit | None, now: dt.datetime
) -> Point | None:
    """The baseline a response entered now (at `visit`, or on the record) would be
    measured from: the first score of `instrument` in the episode of care it joins. The
    PSFS entry asks for the same activities again."""
    care = care_of(user, client)
    joins = care.episode_of(visit.intake_id if visit is not None else None, now)
    rows = (
        responses_for(user, client)
        .in_use()
        .filter(instrument=instrument.id)
        .annotate(visit_intake=F("visit__intake_id"))
        .order_by("taken_at", "id")
    )
    for row in rows:
        if care.episode_of(_visit_intake(row), row.taken_at) == joins:
            return point_of(row)
    return None


# ----------------------------------------------------------------------------- the note
def note_lines(visit: Visit) -> tuple[str, ...]:
    """The session note's lines for the scores taken at `visit` (voided ones left out):
    each score with its change from the baseline of its episode of care (the visit's
    intake's) against the instrument's smallest change that counts, and for the PSFS each
    activity's own change. The responses are those `taken_at_visit` counts (the visit
    page's "done"), a score answered in the portal that day among them. Four queries;
    two without a score at the visit."""
    taken = {r.pk for r in taken_at_visit(visit)}
    if not taken:
        return ()
    client = visit.client
    rows = [r for r in _SERIES.rows(client.pk, client.clinic_id) if r.voided_at is None]
    care = care_from(
        _STARTED_INTAKES.rows(client.pk, client.clinic_id),
        [(i, at) for i, at, _ in VISITS.rows(client.pk)],
    )
    since = care.intakes.get(visit.intake_id)
    lines: list[str] = []
    for instrument in load_default().instruments.values():
        episode = [
            r
            for r in rows
            if r.instrument == instrument.id
            and care.episode_of(_visit_intake(r), r.taken_at) == visit.intake_id
        ]
        for response in (r for r in episode if r.pk in taken):
            first = episode[0]
            baseline = None if first.pk == response.pk else first
            line = score_line(
                instrument,
                response.to_core(instrument),
                baseline=baseline.to_core(instrument) if baseline is not None else None,
                baseline_on=timezone.localdate(first.taken_at),
                intake_on=timezone.localdate(since) if since is not None else None,
            )
            changes: tuple[ActivityChange, ...] = ()
            if baseline is not None and any(i.named_by_client for i in instrument.items):
                before, after = point_of(baseline), point_of(response)
                changes = activity_changes(instrument, before.activities, after.activities)
                line = line.removesuffix(".") + caveat(changes) + "."
            lines.append(line)
            lines.extend(activity_lines(changes))
    return tuple(lines)


def note_lines_of(sender: Any, visit: Visit, **kwargs: Any) -> tuple[str, ...]:
    """The receiver of `visits.drafting.outcome_lines` (connected in apps.py)."""
    return note_lines(visit)
