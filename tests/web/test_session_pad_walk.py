"""What a new user found on the client's pad and its link, fixed: the pad reads the
session every second and an unchanged one is answered 304 (the ETag sent back); a tap with
no hold on is refused in the client's words, with no time stamp; the runner's dialog gets
the link as JSON, and a link on localhost says a phone cannot open it (also on the link
page).

The world is tests/web/records_fixtures.py's: alice (Lakeside's therapist) treats Dan
Marlowe, whose visit's session is open at its first point."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client as Browser
from records_fixtures import World, build_world

from myomap.audit.log import Context
from myomap.visits import pad_tokens, session_actions
from myomap.visits.models import PadCode, SessionEvent, SessionRun

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world() -> Iterator[World]:
    with time_machine.travel(T0, tick=False):
        yield build_world()


def token_of(world: World) -> str:
    run = SessionRun.objects.get(visit=world.visit, ended_at__isnull=True)
    return pad_tokens.make_token(run, world.alice)


def test_an_unchanged_session_is_answered_not_modified_and_a_new_hold_is_not(
    world: World,
) -> None:
    token = token_of(world)
    phone = Browser()
    first = phone.get(f"/pad/{token}/state")
    assert first.status_code == 200 and first.json()["hold"] is False
    tag = first["ETag"]
    again = phone.get(f"/pad/{token}/state", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b""
    ctx = Context(user=world.alice, now=T0)
    hold = session_actions.EventData(
        "h1", "start-hold", T0, {"technique": "ischemic-compression", "pressure": "moderate"}
    )
    session_actions.record_events(ctx, world.visit, [hold])
    changed = phone.get(f"/pad/{token}/state", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed.json()["hold"] is True
    assert changed["ETag"] != tag
    # the pad's own page polls every second
    page = phone.get(f"/pad/{token}/").content.decode()
    assert 'data-poll="1"' in page
    # a hold on: the page is drawn with its buttons enabled
    assert 'data-hold="true"' in page and " disabled>" not in page


def test_a_tap_with_no_hold_is_refused_in_the_clients_words(world: World) -> None:
    token = token_of(world)
    page = Browser().get(f"/pad/{token}/").content.decode()
    assert page.count(" disabled>") == 7  # no hold on: every button disabled
    now = T0.isoformat()
    answer = Browser().post(
        f"/pad/{token}/events",
        json.dumps({"id": "t1", "kind": "too-much", "at": now, "sent": now}),
        content_type="application/json",
    )
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert detail == "No hold was going on when you tapped, so the tap was not recorded."
    assert not re.search(r"\d{4}-\d\d-\d\dT", detail)
    assert SessionEvent.objects.filter(event_id__startswith="pad:").count() == 0


def test_the_runners_dialog_gets_the_link_and_a_localhost_link_warns(world: World) -> None:
    web = world.web("alice")
    path = f"/visits/{world.visit.pk}/session/pad/"
    away = web.get(path, HTTP_ACCEPT="application/json")
    assert away.status_code == 200
    data = away.json()
    assert data["link"].startswith("http://testserver/pad/")
    assert data["qr"].startswith("data:image/svg+xml")
    assert data["until"] == "13:00" and data["unreachable"] == ""
    local = web.get(path, HTTP_ACCEPT="application/json", HTTP_HOST="localhost:8000").json()
    assert "localhost" in local["unreachable"] and "a phone cannot open it" in local["unreachable"]
    assert "--host" in local["unreachable"]
    page = web.get(path, HTTP_HOST="127.0.0.1:8000").content.decode()
    assert 'id="pad-unreachable"' in page and "a phone cannot open it" in page
    assert 'id="pad-unreachable"' not in web.get(path).content.decode()


def test_without_an_open_session_the_dialog_says_so(world: World) -> None:
    session_actions.end_session(Context(user=world.alice, now=T0), world.visit)
    answer = world.web("alice").get(
        f"/visits/{world.visit.pk}/session/pad/", HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 409
    assert answer.json() == {
        "detail": "No session is open for this visit: start it first.",
        "link": None,
    }


def test_the_short_link_is_a_typeable_code_that_opens_the_pad_and_expires_with_it(
    world: World,
) -> None:
    web = world.web("alice")
    data = web.get(f"/visits/{world.visit.pk}/session/pad/", HTTP_ACCEPT="application/json").json()
    code = data["code"]
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", code)
    assert data["short"] == f"http://testserver/pad/{code}/"
    assert len(data["short"]) < 40 < len(data["link"])
    [stored] = PadCode.objects.filter(code=code)
    assert stored.run.visit == world.visit and stored.issuer == world.alice
    assert stored.expires_at == T0 + dt.timedelta(hours=pad_tokens.PAD_HOURS)
    # typed in lower case on a phone: the same pad, nothing else of the record
    phone = Browser()
    page = phone.get(f"/pad/{code.lower()}/")
    assert page.status_code == 200 and "Marlowe" not in page.content.decode()
    ctx = Context(user=world.alice, now=T0)
    hold = session_actions.EventData(
        "h1", "start-hold", T0, {"technique": "ischemic-compression", "pressure": "moderate"}
    )
    session_actions.record_events(ctx, world.visit, [hold])
    now = (T0 + dt.timedelta(seconds=3)).isoformat()
    with time_machine.travel(T0 + dt.timedelta(seconds=3), tick=False):
        tapped = phone.post(
            f"/pad/{code}/events",
            json.dumps({"id": "c1", "kind": "better", "at": now, "sent": now}),
            content_type="application/json",
        )
    assert tapped.status_code == 200
    assert SessionEvent.objects.filter(event_id="pad:c1").count() == 1
    # a code never made, and the code after its hours, are refused like a token
    assert phone.get("/pad/ZZZZZZZZ/state").status_code == 403
    with time_machine.travel(T0 + dt.timedelta(hours=pad_tokens.PAD_HOURS, seconds=1)):
        late = phone.get(f"/pad/{code}/state")
    assert late.status_code == 403 and "expired" in late.json()["detail"]
    later = Context(user=world.alice, now=T0 + dt.timedelta(seconds=9))
    release = session_actions.EventData("r1", "release-hold", T0 + dt.timedelta(seconds=8))
    session_actions.record_events(later, world.visit, [release])
    session_actions.end_session(later, world.visit)
    ended = phone.get(f"/pad/{code}/state")
    assert ended.status_code == 403 and "ended" in ended.json()["detail"]


def test_opening_the_pad_dialog_again_shows_the_same_code_and_stores_nothing_new(
    world: World,
) -> None:
    """The dialog (a GET) reuses the code it made while that code has half its life or
    more left: the QR a client already scanned stays the one shown. Later a fresh code is
    made, and the old one keeps working until it expires."""
    web = world.web("alice")
    path = f"/visits/{world.visit.pk}/session/pad/"
    first = web.get(path, HTTP_ACCEPT="application/json").json()
    again = web.get(path, HTTP_ACCEPT="application/json").json()
    page = web.get(path).content.decode()
    assert again["code"] == first["code"] and first["code"] in page
    assert PadCode.objects.filter(run__visit=world.visit).count() == 1
    late = T0 + dt.timedelta(hours=pad_tokens.PAD_HOURS / 2, minutes=1)
    with time_machine.travel(late, tick=False):
        # (signed in again: a session idle this long is signed out)
        fresh = world.web("alice").get(path, HTTP_ACCEPT="application/json").json()
        assert fresh["code"] != first["code"]
        assert PadCode.objects.filter(run__visit=world.visit).count() == 2
        assert Browser().get(f"/pad/{first['code']}/").status_code == 200
