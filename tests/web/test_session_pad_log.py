"""The pad's token never reaches the server's log: a refused tap (400), a tap over the
rate (429) and an altered link (403) are logged by Django with their path, and the path
shows `/pad/<token>/...`, never the token itself.

The world is tests/web/records_fixtures.py's: alice (Lakeside's therapist) treats Dan
Marlowe, whose visit's session is open at its first point."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as Browser
from records_fixtures import World, build_world

from myomap.visits import pad_tokens
from myomap.visits.models import SessionEvent, SessionRun
from myomap.visits.pad_logging import MaskPadTokens, mask

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world() -> Iterator[World]:
    with time_machine.travel(T0, tick=False):
        yield build_world()


def test_a_refused_tap_is_logged_without_the_token(world: World, caplog: Any) -> None:
    run = SessionRun.objects.get(visit=world.visit, ended_at__isnull=True)
    token = pad_tokens.make_token(run, world.alice)
    phone = Browser(enforce_csrf_checks=True)
    now = T0.isoformat()
    before = SessionEvent.objects.count()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        # no hold is active: refused (400), nothing stored
        answer = phone.post(
            f"/pad/{token}/events",
            json.dumps({"id": "t1", "kind": "too-much", "at": now, "sent": now}),
            content_type="application/json",
        )
        altered = phone.get(f"/pad/{token}x/state")
    assert answer.status_code == 400 and altered.status_code == 403
    assert SessionEvent.objects.count() == before
    logged = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert logged == ["Bad Request: /pad/<token>/events", "Forbidden: /pad/<token>/state"]
    assert all(token[:20] not in text for text in caplog.text.splitlines())
    assert not any(getattr(r, "request", None) for r in caplog.records if "/pad/" in r.getMessage())


def test_the_mask_keeps_every_other_path_and_the_record() -> None:
    assert (
        mask('"GET /pad/eyJhb:1x:abc/state HTTP/1.1" 403')
        == '"GET /pad/<token>/state HTTP/1.1" 403'
    )
    assert mask("Not Found: /visits/3/session/pad/") == "Not Found: /visits/3/session/pad/"
    record = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"%s" %s', ("GET /pad/abc/ HTTP/1.1", "200"), None
    )
    assert MaskPadTokens().filter(record) is True
    assert record.getMessage() == '"GET /pad/<token>/ HTTP/1.1" 200'
