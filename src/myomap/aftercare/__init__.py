"""Aftercare: the soreness check-in the client is sent after a signed session, answered
from a signed one-time link in the e-mail (no login needed); see docs/appointments.md."""
