"""Appointments: a therapist's calendar (day and week), weekly hours and time off, booking,
cancellation and no-show, in the clinic's time zone; see docs/appointments.md."""
