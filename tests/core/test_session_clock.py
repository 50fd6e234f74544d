"""A phone's tap put on the server's clock: shifted by the phone's offset, never later than
it was received, and not trusted without the time it was sent."""

from __future__ import annotations

import datetime as dt

from myomap.core.session.clock import on_server_clock

RECEIVED = dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def test_a_phone_five_minutes_fast_is_put_back_on_the_servers_clock() -> None:
    tapped = RECEIVED + 5 * MINUTE - dt.timedelta(seconds=3)  # tapped 3 s before it was sent
    sent = RECEIVED + 5 * MINUTE
    assert on_server_clock(tapped, sent, RECEIVED) == RECEIVED - dt.timedelta(seconds=3)


def test_a_tap_queued_offline_keeps_its_place_in_time() -> None:
    tapped = RECEIVED - 2 * MINUTE  # made two minutes before the network came back
    assert on_server_clock(tapped, RECEIVED, RECEIVED) == tapped


def test_without_a_usable_sent_time_the_tap_is_when_it_arrived() -> None:
    assert on_server_clock(RECEIVED - MINUTE, None, RECEIVED) == RECEIVED
    assert on_server_clock(RECEIVED, RECEIVED - MINUTE, RECEIVED) == RECEIVED  # sent before made
