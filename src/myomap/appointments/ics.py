"""Appointments as iCalendar (RFC 5545) with the icalendar library: one appointment's
`.ics`, and a therapist's subscription feed. Times are written in the clinic's zone (with
its VTIMEZONE), so a phone shows them on the clinic's clock across a daylight-saving
change.

Nothing about the client or their health is written: each event says only "Appointment
at <clinic>", with its times and whether it is still on. A cancelled appointment is
written as cancelled in its own `.ics` (so a calendar that imported it drops it) and
leaves the feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar

from myomap.appointments.models import Appointment

PRODID = "-//Myomap//Appointments//EN"


def _calendar(name: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _event(appointment: Appointment, now: dt.datetime) -> icalendar.Event:
    zone = appointment.clinic.zone
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.pk}@myomap")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("summary", f"Appointment at {appointment.clinic.name}")
    cancelled = appointment.status == Appointment.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # Each change of state is a new version for calendars that imported an older one.
    event.add("sequence", 1 if appointment.changed_at else 0)
    return event


def _bytes(calendar: icalendar.Calendar) -> bytes:
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def one(appointment: Appointment, now: dt.datetime) -> bytes:
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(appointment, now))
    return _bytes(calendar)


def feed(name: str, appointments: Iterable[Appointment], now: dt.datetime) -> bytes:
    calendar = _calendar(name)
    for appointment in appointments:
        if appointment.status != Appointment.Status.CANCELLED:
            calendar.add_component(_event(appointment, now))
    return _bytes(calendar)
