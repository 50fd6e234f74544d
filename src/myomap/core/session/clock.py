"""A device's times put on the server's clock (a phone's clock may be minutes wrong).

The phone sends the time it made a tap (`tapped`) and the time it sent it (`sent`); the
server's receive time minus `sent` is the phone's offset, network delay included. The
Django layer then shifts the result by the tablet's offset (`session_queries.tablet_offset`),
since the session's times are the tablet's (docs/session.md)."""

from __future__ import annotations

import datetime as dt


def on_server_clock(
    tapped: dt.datetime, sent: dt.datetime | None, received: dt.datetime
) -> dt.datetime:
    """`tapped` on the server's clock, never later than `received`. Without a usable `sent`
    (missing, or before the tap) the phone's clock is not trusted: the tap is `received`."""
    if sent is None or sent < tapped:
        return received
    return min(received, received - (sent - tapped))
