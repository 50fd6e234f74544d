"""Time arithmetic of the calendar, without Django: an appointment occupies whole units
of UNIT_MINUTES (5 minutes) counted from the epoch in UTC, so two appointments of one
therapist overlap exactly when they share a unit, whatever the time zone or a
daylight-saving change.

    >>> start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    >>> units(start, 15) == [unit_of(start), unit_of(start) + 1, unit_of(start) + 2]
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UNIT_MINUTES = 5
MIN_MINUTES = 5
MAX_MINUTES = 240
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def unit_of(moment: dt.datetime) -> int:
    """The unit that starts at `moment` (an aware datetime on a unit's boundary)."""
    return int((moment - EPOCH).total_seconds()) // (UNIT_MINUTES * 60)


def units(start: dt.datetime, minutes: int) -> list[int]:
    first = unit_of(start)
    return list(range(first, first + minutes // UNIT_MINUTES))


def covering(start: dt.datetime, end: dt.datetime) -> range:
    """The units that [start, end) touches, for any start and end."""
    seconds = UNIT_MINUTES * 60
    first = int((start - EPOCH).total_seconds()) // seconds
    last = -(-int((end - EPOCH).total_seconds()) // seconds)
    return range(first, last)


def on_boundary(moment: dt.datetime) -> bool:
    return int((moment - EPOCH).total_seconds()) % (UNIT_MINUTES * 60) == 0


@dataclass(frozen=True)
class Hours:
    """Working hours on one weekday (0 Monday), in the clinic's local time."""

    weekday: int
    starts: dt.time
    ends: dt.time

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.starts:%H:%M}-{self.ends:%H:%M}"


def local_span(start: dt.datetime, minutes: int, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The appointment's start and end as the clinic's wall clock shows them."""
    return start.astimezone(zone), (start + dt.timedelta(minutes=minutes)).astimezone(zone)


def within_hours(start: dt.datetime, minutes: int, zone: ZoneInfo, hours: Iterable[Hours]) -> bool:
    """The appointment lies inside one stretch of working hours of its local day (an
    appointment across midnight never does)."""
    begin, end = local_span(start, minutes, zone)
    if begin.date() != end.date():
        return False
    return any(
        h.weekday == begin.weekday() and h.starts <= begin.time() and end.time() <= h.ends
        for h in hours
    )


def day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC moments the clinic's local `day` begins and ends (23 or 25 hours apart on a
    daylight-saving change)."""
    begin = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return begin.astimezone(dt.UTC), end.astimezone(dt.UTC)


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=n) for n in range(7)]


def open_starts(
    day: dt.date,
    zone: ZoneInfo,
    hours: Sequence[Hours],
    taken: set[int],
    minutes: int,
    after: dt.datetime,
    step_minutes: int = 15,
) -> list[dt.datetime]:
    """The starts (UTC) on the local `day`, every `step_minutes` within working hours, where
    an appointment of `minutes` fits without touching a `taken` unit and starts after
    `after`."""
    found = []
    for h in hours:
        if h.weekday != day.weekday():
            continue
        moment = dt.datetime.combine(day, h.starts, tzinfo=zone).astimezone(dt.UTC)
        while True:
            if not within_hours(moment, minutes, zone, [h]):
                break
            if moment > after and not taken.intersection(units(moment, minutes)):
                found.append(moment)
            moment += dt.timedelta(minutes=step_minutes)
    return sorted(found)
