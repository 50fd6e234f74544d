"""Reads of clients and intakes, shared by the web pages, the API and the command line.
Who may see what is decided here (and in `ClientQuerySet.visible_to`), never in a view or
a template: another clinic's record is a 404, never a 403."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, overload

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator

from myomap.clients.models import Client, ClientRevision, Intake, name_key, visible_clients
from myomap.clients.screening import screen_intake
from myomap.records.access import visible_or_404
from myomap.records.prepared import Prepared, Staff, staff_clinic


def client_list(user: Any, query: str = "") -> QuerySet[Client]:
    """The clients this user may see whose names start with `query`, by family name then
    given name whatever the accents or capitals (the family-first search key): the order
    the (clinic, family_key, id) index holds, so a page is read from it. `with_visits`
    adds the visit counts, for the page shown only."""
    return Client.objects.visible_to(user).matching(query).order_by("family_key", "id")


# What a row of the client list shows of a client, read as plain values: a page of 50
# model instances with every column costs a millisecond more than these four.
LIST_COLUMNS = ("id", "family_name", "given_name", "date_of_birth")
ListValues = tuple[int, str, str, dt.date | None]


def client_list_rows(user: Any, query: str = "") -> QuerySet[Any]:
    """`client_list` as the list page shows it: (id, family name, given name, born)."""
    return client_list(user, query).values_list(*LIST_COLUMNS)


def client_list_for_pages(user: Any, query: str = "") -> QuerySet[Any] | Sequence[ListValues]:
    """`client_list_rows` for `records.pages.paginate` to count and cut. A therapist's or
    admin's whole list (no search) is read through prepared statements (`ClinicList`):
    the same rows, without compiling the count and the page's query again on every page."""
    clinic = staff_clinic(user)
    if clinic is not None and not name_key(query):
        return ClinicList(clinic)
    return client_list_rows(user, query)


# The count and a page of `client_list` for a clinic, compiled once (records.prepared). A
# page's start and size are part of its SQL, not parameters, so each page is its own
# statement, kept for the pages people open.
_COUNT = Prepared(
    lambda clinic: (
        client_list(Staff(clinic))
        .order_by()
        .values("clinic")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    ),
    1,
)


@lru_cache(maxsize=256)
def _page_of(start: int, size: int) -> Prepared[ListValues]:
    return Prepared(
        lambda clinic: client_list(Staff(clinic)).values_list(*LIST_COLUMNS)[start : start + size],
        1,
    )


class ClinicList(Sequence[ListValues]):
    """A clinic's whole client list as `paginate` reads it: its length is the count, a
    slice the rows of that page; each is one prepared statement, run when asked."""

    def __init__(self, clinic: int) -> None:
        self.clinic = clinic

    def __len__(self) -> int:
        found = _COUNT.rows(self.clinic)
        return int(found[0]) if found else 0

    @overload
    def __getitem__(self, index: int) -> ListValues: ...
    @overload
    def __getitem__(self, index: slice) -> list[ListValues]: ...
    def __getitem__(self, index: int | slice) -> ListValues | list[ListValues]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop, step = index.start or 0, index.stop, index.step
        if step not in (None, 1) or start < 0 or stop is None or stop < start:
            raise ValueError("a page of the client list is read as rows[start:stop]")
        return _page_of(start, stop - start).rows(self.clinic)


@dataclass(frozen=True)
class ClientRow:
    """A client of the list with their number of visits and the start of the last one."""

    pk: int
    family_name: str
    given_name: str
    date_of_birth: dt.date | None
    visit_count: int
    last_visit: dt.datetime | None


def with_visits(rows: Sequence[ListValues]) -> list[ClientRow]:
    """The list's `rows` (from `client_list_rows`) with their visit counts and last
    visits, in one grouped statement over just these clients' visits (the visits index
    by client holds both), not over every client before a page is cut. The clients were
    read through `client_list`, so who may see them is settled; the statement is written
    out because the ORM takes several times longer to compile it than SQLite to run it."""
    if not rows:
        return []
    found = {pk: (n, from_db_datetime(last)) for pk, n, last in _visit_counts([r[0] for r in rows])}
    return [ClientRow(*row, *found.get(row[0], (0, None))) for row in rows]


def _visit_counts(client_ids: list[int]) -> list[tuple[int, int, Any]]:
    meta: Any = _visit_model()._meta
    client = meta.get_field("client").column
    started = meta.get_field("started_at").column
    marks = ", ".join(["%s"] * len(client_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {client}, COUNT(*), MAX({started}) FROM {meta.db_table} "
            f"WHERE {client} IN ({marks}) GROUP BY {client}",
            client_ids,
        )
        rows: list[tuple[int, int, Any]] = cursor.fetchall()
        return rows


def _visit_model() -> Any:
    # The visit model through the clients' own relation: clients does not import visits.
    return Client._meta.get_field("visits").related_model


def from_db_datetime(value: Any) -> dt.datetime | None:
    """A timestamp as a raw statement returns it: PostgreSQL's already aware, SQLite's
    text in UTC (what Django's SQLite backend converts it from)."""
    if value is None or isinstance(value, dt.datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# The client record's reads, compiled once (records.prepared).
_CLIENT = Prepared(
    lambda pk, clinic: (
        Client.objects.visible_to(Staff(clinic))
        .select_related("treatment_consent_by", "data_consent_by")
        .filter(pk=pk)
    ),
    2,
)
_INTAKES = Prepared(lambda client: Intake.objects.filter(client=client), 1)
_VISITS = Prepared(
    lambda client: (
        Client._meta.get_field("visits")
        .related_model._default_manager.filter(client=client)  # type: ignore[union-attr]
        .select_related("therapist", "note")
    ),
    1,
)
_CHANGES = Prepared(lambda client: ClientRevision.objects.of_client(client), 1)


@dataclass(frozen=True)
class ClientRecord:
    """What the client's page lists: intakes and visits newest first, the corrections."""

    intakes: list[Intake]
    visits: list[Any]
    changes: list[ClientRevision]


def client_record(client: Client) -> ClientRecord:
    """The lists of `client`'s record page (the client already read through `client_for`)."""
    intakes, visits = _INTAKES.rows(client.pk), _VISITS.rows(client.pk)
    for record in (*intakes, *visits):
        record.client = client  # as the client's own relations would have set it
    return ClientRecord(intakes, visits, _CHANGES.rows(client.pk))


def client_for(user: Any, pk: int) -> Client:
    """The client if this user may see them, else 404 (audited when the client exists)."""
    clinic = staff_clinic(user)
    if clinic is not None:
        found = _CLIENT.rows(pk, clinic)
        if found:
            return found[0]
    visible = Client.objects.visible_to(user).select_related(
        "treatment_consent_by", "data_consent_by"
    )  # the record's page names who took each consent
    return visible_or_404(visible, pk, lambda c: c)  # type: ignore[no-any-return]


def intake_for(user: Any, pk: int) -> Intake:
    visible = Intake.objects.select_related("client").filter(visible_clients(user, "client"))
    return visible_or_404(visible, pk, lambda i: i.client)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class GateAnswer:
    """May a visit start from this intake, may a plan be made, and if not, why; and the
    ways on that the intake page offers. The one answer the intake page, the API and the
    visit actions share.

    `allows_visit` is about red flags (the client's other intakes count); `allows_planning`
    also waits for a doctor's clearance of an ask-doctor condition (a visit may start to
    examine, but no plan is made until the clearance is recorded)."""

    allows_visit: bool
    allows_planning: bool
    reason: str | None  # why not, in words (None when planning may go on)
    steps: tuple[str, ...] = ()  # the ways on: "referral", "flag-clearance", "override"
    other_intake: Intake | None = None  # the other intake whose red flag stops planning

    @property
    def offers(self) -> frozenset[str]:
        return frozenset(self.steps)


def gate(intake: Intake) -> GateAnswer:
    screening = screen_intake(intake)
    if intake.gate == Intake.Gate.BLOCKED:
        if screening.referral_waits_for_clearance:
            return GateAnswer(
                False,
                False,
                f"an {screening.urgency} red flag stops treatment: record the referral and "
                "then a medical clearance (who cleared, when, what they said), or an "
                "override with a written reason",
                ("referral", "flag-clearance", "override"),
            )
        return GateAnswer(
            False,
            False,
            "a red flag stops treatment planning: record the referral, or an override with "
            "a written reason",
            ("referral", "override"),
        )
    if intake.gate == Intake.Gate.AWAITING:
        return GateAnswer(
            False,
            False,
            "the referral is recorded, and this red flag needs a medical clearance (who "
            "cleared, when, what they said) or an override with a reason before treatment",
            ("flag-clearance", "override"),
        )
    other = (
        Intake.objects.filter(client_id=intake.client_id, gate__in=Intake.CLOSED)
        .exclude(pk=intake.pk)
        .order_by("-recorded_at")
        .first()
    )
    if other is not None:
        when = timezone.localtime(other.recorded_at)
        reason = (
            f"another intake of this client ({when.day} {when:%b %Y %H:%M}, "
            f"\u201c{Truncator(other.complaint).chars(40)}\u201d) has a red flag that is not "
            "resolved: resolve it on that intake first"
        )
        return GateAnswer(False, False, reason, (), other)
    if screening.needs_clearance:
        waiting = ", ".join(c.name for c in screening.contraindications if c.level == "ask-doctor")
        reason = (
            f"planning waits for the doctor's clearance ({waiting}): "
            "record the clearance on the intake page first"
        )
        return GateAnswer(True, False, reason)
    return GateAnswer(True, True, None)
