"""The client books their next session from a relief question's link (the link is the key,
there is no sign-in): only a time its pages offer (`queries.next_session`: the session's
therapist, the session's length, the times shown), once per link. Anything else is refused
naming why: a time taken meanwhile, past or outside the hours says so (the calendar's own
refusals), else that it was not offered; a client already booked is told so."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from myomap.aftercare import links, queries, relief
from myomap.aftercare.models import ReliefCheck
from myomap.appointments import actions as appointments
from myomap.appointments.models import Appointment
from myomap.audit.log import Context
from myomap.records.errors import Conflict, Invalid


def check_for(secret: str, now: dt.datetime) -> ReliefCheck:
    """The question whose link books: answered or not, until the link expires;
    `LinkRefused` saying why when it does not."""
    return links.open_link(ReliefCheck, secret, relief.SALT, now, "question", once=False)


@transaction.atomic
def book_offered(ctx: Context, check: ReliefCheck, starts_at: dt.datetime) -> Appointment:
    """Book `starts_at`, one of the times `check`'s pages offer at `ctx.now`."""
    if check.appointment_id is not None:  # (`_book` checks again, the row locked)
        raise Conflict("you booked an appointment from this link already", "start")
    shown = queries.next_session(check, ctx.now)
    if not shown.offers(starts_at):
        booked = shown.booked
        zone = check.clinic.zone
        if booked is not None:
            when = booked.starts_at.astimezone(zone)
            who = booked.therapist.get_full_name() or booked.therapist.username
            raise Conflict(
                f"you have an appointment already, {when:%a %-d %b %Y at %H:%M} with {who}",
                "start",
            )
        # Say why as the calendar would (taken, past, outside the hours), else: not offered.
        minutes = shown.offer.minutes if shown.offer else queries.session_minutes(check.visit)
        appointments.refuse_unbookable(check.visit.therapist, starts_at, minutes, zone, ctx.now)
        raise Invalid("that time is not one of those offered", "start")
    assert shown.offer is not None  # it offers starts_at
    return _book(ctx, check, starts_at, shown.offer.minutes)


def _book(ctx: Context, check: ReliefCheck, starts_at: dt.datetime, minutes: int) -> Appointment:
    """One appointment per link: the question's row locked while its booking is written,
    and set only where it has none (two taps at once make one appointment)."""
    locked = ReliefCheck.objects.select_for_update().get(pk=check.pk)
    if locked.appointment_id is not None:
        raise Conflict("you booked an appointment from this link already", "start")
    appointment = appointments.book_from_check_in(
        ctx,
        client=check.client,
        therapist=check.visit.therapist,
        starts_at=starts_at,
        minutes=minutes,
    )
    if not ReliefCheck.objects.filter(pk=check.pk, appointment=None).update(
        appointment=appointment
    ):
        raise Conflict("you booked an appointment from this link already", "start")
    check.appointment = appointment
    return appointment
