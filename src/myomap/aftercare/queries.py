"""What the therapists see of the check-ins: their clinic's alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from myomap.aftercare.models import CheckIn, ReliefCheck
from myomap.records.access import visible_or_404


def alerts_for(user: Any, *, seen: bool = False) -> QuerySet[CheckIn]:
    """The clinic's check-ins whose answers need a therapist, not yet seen (or seen)."""
    found = CheckIn.objects.filter(clinic_id=user.clinic_id).exclude(alert="")
    return (
        found.filter(seen_at__isnull=not seen)
        .select_related("client", "visit", "visit__therapist", "seen_by", "recheck")
        .order_by("-answered_at", "-pk")
    )


def check_in_for_staff(user: Any, pk: int) -> CheckIn:
    visible = CheckIn.objects.filter(clinic_id=user.clinic_id).select_related("client")
    return visible_or_404(visible, pk, lambda c: c.client)  # type: ignore[no-any-return]


def recent_relief(user: Any, limit: int = 20) -> list[tuple[Any, Any, Any]]:
    """The clinic's latest sessions with relief answers: (visit, Relief), newest first."""
    from myomap.aftercare.relief import lasted

    visit_ids = list(
        ReliefCheck.objects.filter(clinic_id=user.clinic_id, back__isnull=False)
        .order_by("-answered_at")
        .values_list("visit_id", flat=True)[: limit * 4]
    )
    seen: list[int] = []
    for pk in visit_ids:
        if pk not in seen:
            seen.append(pk)
    checks = ReliefCheck.objects.filter(visit_id__in=seen[:limit]).select_related(
        "visit", "client", "client__clinic"
    )
    visits = {c.visit_id: c.visit for c in checks}
    clients = {c.visit_id: c.client for c in checks}
    return [(visits[pk], clients[pk], lasted(pk)) for pk in seen[:limit]]


# The length offered for a rebooking when the session did not start from an appointment
# (then its own length is offered): a usual appointment's, not a clinical number.
REBOOK_MINUTES = 60


def session_minutes(visit: Any) -> int:
    """The length of the appointment `visit` started from, else REBOOK_MINUTES."""
    from myomap.appointments.queries import minutes_of_visit

    return minutes_of_visit(visit.pk) or REBOOK_MINUTES


def rebooking(user: Any, clients: list[Any], now: dt.datetime) -> list[tuple[Any, Offer]]:
    """For each client with a suggestion: the `offer` after their latest followed session,
    with the open times of that session's therapist (the same as the signed note shows)."""
    from myomap.aftercare.relief import session_at

    rows = []
    for client in clients:
        latest = (
            ReliefCheck.objects.filter(client=client, clinic_id=user.clinic_id)
            .select_related("visit__therapist", "visit__client__clinic")
            .order_by("-due_at")
            .first()
        )
        if latest is None:
            continue
        found = offer(latest.visit, session_at(latest), now)
        if found is not None:
            rows.append((client, found))
    return rows


NEAR_DAYS = 7  # with no open time on the suggested day, the next days looked at


@dataclass(frozen=True)
class Offer:
    """A rebooking suggestion as a page shows it: the sentence ("Suggest rebooking on
    Sunday 8 Mar (day 6): relief lasted 6, 8 and 7 days", "... (that day has passed)"
    once it has: `late`, the times then from today), the therapist, and their open
    starts (UTC, and on the clinic's clock) on the suggested day (today once it has passed),
    or the nearest day after it with any (`on`, with `moved` true)."""

    words: str
    day: dt.date
    late: bool
    therapist: Any
    minutes: int
    on: dt.date | None
    moved: bool
    starts: list[tuple[dt.datetime, dt.datetime]]
    zone: Any = None  # the clinic's, which the page shows the times in
    client_words: str = ""  # the same suggestion as the client reads it


def offer(visit: Any, session_at: dt.datetime, now: dt.datetime) -> Offer | None:
    """The rebooking suggestion after `visit`, the session of `session_at`, with its
    therapist's open times near its date (from today on, four at most) for an appointment
    as long as the session's (`session_minutes`); None without a suggestion."""
    from myomap.aftercare.relief import suggestion
    from myomap.appointments.queries import open_starts_on

    client, therapist, minutes = visit.client, visit.therapist, session_minutes(visit)
    found = suggestion(client.pk)
    if found is None:
        return None
    zone = client.clinic.zone
    day = (session_at + dt.timedelta(days=found.day)).astimezone(zone).date()
    today = now.astimezone(zone).date()
    on_day = f"{day:%A} {day.day} {day:%b}"
    words = f"Suggest rebooking on {on_day} (day {found.day}): {found.reason}"
    to_client = f"We suggest your next session on {on_day}, day {found.day} after this one: "
    to_client += found.reason
    if day < today:
        words += " (that day has passed)"
        to_client += " (that day has passed)"
    first = max(day, today)
    near = [first + dt.timedelta(days=n) for n in range(NEAR_DAYS + 1)]
    found_on = open_starts_on(therapist, near, zone, minutes, now)
    for on in near:
        starts = found_on[on][:4]
        if starts:
            return Offer(
                words,
                day,
                day < today,
                therapist,
                minutes,
                on,
                on != first,  # not "moved" for a day passed: the times are from today
                [(s, s.astimezone(zone)) for s in starts],
                zone,
                to_client,
            )
    return Offer(words, day, day < today, therapist, minutes, None, False, [], zone, to_client)


@dataclass(frozen=True)
class NextSession:
    """What a client's relief page shows of their next session: the appointment booked
    from this link, or otherwise already booked, while it is to come (`booked`); else,
    for a link that has booked one since cancelled or past, nothing more to book (`used`);
    else the suggestion with the times the client may book from the link (`offer`)."""

    booked: Any
    offer: Offer | None
    used: bool = False

    def offers(self, starts_at: dt.datetime) -> bool:
        """Whether `starts_at` is one of the times this page offers."""
        return self.offer is not None and any(s == starts_at for s, _ in self.offer.starts)


def next_session(check: ReliefCheck, now: dt.datetime) -> NextSession:
    """The next session as the relief question `check`'s pages show it at `now`: the
    client's next booked appointment (the one booked from this link, or another), else,
    once the link has booked one (cancelled or past since), nothing to book, else the
    suggestion with the open times of the session's therapist (the only times the link
    books, `booking.book_offered`)."""
    from myomap.aftercare.relief import session_at
    from myomap.appointments.queries import next_appointment

    booked = next_appointment(check.client, now)
    if booked is not None:
        return NextSession(booked, None)
    if check.appointment_id is not None:
        return NextSession(None, None, used=True)
    return NextSession(None, offer(check.visit, session_at(check), now))


def signed_at(visit: Any, version: Any) -> dt.datetime | None:
    """When the session was signed: the check-in's moment (the first signature), else the
    signed version on the page."""
    found = CheckIn.objects.filter(visit=visit).values_list("session_at", flat=True).first()
    if found is not None:
        return found
    return getattr(version, "signed_at", None)
