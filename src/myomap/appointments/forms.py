"""The booking form and the calendar's settings forms. Times are typed in the clinic's
local time and turned into UTC here, a time that does not exist that day (the clocks go
forward) refused by name."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from myomap.appointments import slots
from myomap.records.forms import PlainTextForm


def local_moment(day: dt.date, time: dt.time, zone: ZoneInfo, field: str) -> dt.datetime:
    """`day` at `time` on the clinic's wall clock, as UTC; refused when the clock skips
    that time (a daylight-saving change)."""
    moment = dt.datetime.combine(day, time, tzinfo=zone)
    back = moment.astimezone(dt.UTC).astimezone(zone)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise forms.ValidationError(
            {
                field: f"{time:%H:%M} does not exist on {day:%-d %b %Y} in {zone.key}: the clocks "
                "go forward then"
            }
        )
    return moment.astimezone(dt.UTC)


class BookingForm(PlainTextForm):
    client: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None)
    therapist: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None)
    day = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label="Time", widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
    )
    minutes = forms.IntegerField(
        label="Length (minutes)",
        initial=60,
        min_value=slots.MIN_MINUTES,
        max_value=slots.MAX_MINUTES,
        widget=forms.NumberInput(attrs={"step": slots.UNIT_MINUTES}),
    )

    def __init__(self, *args: Any, clients: Any, therapists: Any, zone: ZoneInfo, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        self.fields["therapist"].queryset = therapists  # type: ignore[attr-defined]
        self.fields["therapist"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name() or user.username
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("day") and data.get("time"):
            data["starts_at"] = local_moment(data["day"], data["time"], self.zone, "time")
        return data


WEEKDAY_CHOICES = [(n, name) for n, name in enumerate(slots.WEEKDAYS)]


class HoursForm(PlainTextForm):
    """A week of hours as text, one stretch a line: "Monday 09:00-17:00"."""

    hours = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text='One stretch a line, e.g. "Monday 09:00-12:30" and "Monday 13:30-17:00".',
    )

    def clean_hours(self) -> list[tuple[int, dt.time, dt.time]]:
        found = []
        for n, line in enumerate(self.cleaned_data["hours"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                name, span = line.split(None, 1)
                start, end = (dt.time.fromisoformat(p.strip()) for p in span.split("-"))
                weekday = [w.lower() for w in slots.WEEKDAYS].index(name.lower())
            except ValueError:
                raise forms.ValidationError(
                    f'line {n}: write "Monday 09:00-17:00", not "{line}"'
                ) from None
            found.append((weekday, start, end))
        return found


class TimeOffForm(PlainTextForm):
    first_day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(max_length=200, required=False, help_text="For the clinic only.")


class TimeZoneForm(PlainTextForm):
    time_zone = forms.CharField(
        max_length=64, help_text="The clinic's time zone, e.g. Europe/London."
    )
