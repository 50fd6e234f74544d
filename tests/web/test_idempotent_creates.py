"""Idempotent creates: a POST of a client or an intake with an `Idempotency-Key` header,
retried after a lost response, returns the record the first request created (201, the same
id) instead of a second one, and writes no second audit event. The same key with other
data is a 409 naming the key. A key counts within the caller's clinic (a client) or the
client (an intake): bob at Hilltop never finds what alice at Lakeside created.

The people are tests/personas.py's: alice (therapist at Lakeside), bob (therapist at
Hilltop, another clinic)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser

from myomap.accounts.models import User
from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions
from myomap.clients.models import Client, Intake

pytestmark = pytest.mark.django_db

MARIA = {
    "given_name": "Maria",
    "family_name": "Lopez",
    "date_of_birth": "1979-06-14",
    "treatment_consent": True,
    "data_consent": True,
}
LOW_BACK = {"complaint": "Low back pain after gardening", "pain_drawing": {"sacrum": 3}}


def api(user: User) -> Browser:
    return Browser(headers={"Authorization": f"Bearer {ApiToken.issue(user, 'tests')[1]}"})


def post(http: Browser, path: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return http.post(path, body, content_type="application/json", headers=headers)


def writes() -> list[tuple[str, str, str]]:
    """The audit events of writes (the token's use and the views left out), oldest first."""
    events = AuditEvent.objects.exclude(action__in=[AuditEvent.Action.USE, AuditEvent.Action.VIEW])
    return list(events.order_by("id").values_list("action", "object_type", "object_id"))


def new_client(http: Browser) -> int:
    response = post(http, "/api/clients", MARIA)
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


# ----------------------------------------------------------------------------- clients
def test_a_retried_client_create_with_the_same_key_returns_the_first_client(
    alice: User,
) -> None:
    http = api(alice)
    first = post(http, "/api/clients", MARIA, key="new-maria-1")
    assert first.status_code == 201, first.json()
    events = writes()
    again = post(http, "/api/clients", MARIA, key="new-maria-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    stored = Client.objects.get()
    assert stored.pk == first.json()["id"] and stored.create_key == "new-maria-1"
    assert (stored.family_name, stored.clinic_id) == ("Lopez", alice.clinic_id)
    assert writes() == events == [("create", "Client", str(stored.pk))]
    listed = http.get("/api/clients").json()
    assert listed["count"] == 1 and [c["id"] for c in listed["items"]] == [stored.pk]


def test_the_same_key_with_other_data_is_a_conflict_naming_the_key(alice: User) -> None:
    http = api(alice)
    first = post(http, "/api/clients", MARIA, key="new-maria-2")
    events = writes()
    other = post(http, "/api/clients", MARIA | {"given_name": "Marta"}, key="new-maria-2")
    assert other.status_code == 409
    assert other.json()["field"] == "Idempotency-Key"
    assert "'new-maria-2' was used before with different data" in other.json()["detail"]
    assert list(Client.objects.values_list("id", "given_name")) == [(first.json()["id"], "Maria")]
    assert writes() == events
    assert http.get("/api/clients", {"q": "Marta"}).json()["count"] == 0


def test_without_a_key_two_creates_make_two_clients(alice: User) -> None:
    http = api(alice)
    ids = {new_client(http), new_client(http)}
    assert len(ids) == 2
    assert set(Client.objects.values_list("create_key", flat=True)) == {None}
    assert [action for action, *_ in writes()] == ["create", "create"]
    assert http.get("/api/clients").json()["count"] == 2


def test_an_empty_key_counts_as_no_key(alice: User) -> None:
    http = api(alice)
    assert post(http, "/api/clients", MARIA, key="").status_code == 201
    assert post(http, "/api/clients", MARIA, key="  ").status_code == 201
    assert Client.objects.count() == 2
    assert http.get("/api/clients").json()["count"] == 2


def test_another_clinics_key_never_finds_the_client(alice: User, bob: User) -> None:
    mine = post(api(alice), "/api/clients", MARIA, key="shared-key").json()
    bobs = api(bob)
    his = post(bobs, "/api/clients", MARIA, key="shared-key")
    assert his.status_code == 201 and his.json()["id"] != mine["id"]
    stored = Client.objects.order_by("id").values_list("id", "clinic_id", "create_key")
    assert list(stored) == [
        (mine["id"], alice.clinic_id, "shared-key"),
        (his.json()["id"], bob.clinic_id, "shared-key"),
    ]
    # Other data under bob's key is bob's conflict: alice's client is not named or shown.
    other = post(bobs, "/api/clients", MARIA | {"family_name": "Diaz"}, key="shared-key")
    assert other.status_code == 409 and str(mine["id"]) not in other.json()["detail"]
    assert [c["id"] for c in bobs.get("/api/clients").json()["items"]] == [his.json()["id"]]
    assert [object_id for _, _, object_id in writes()] == [str(mine["id"]), str(his.json()["id"])]


def test_a_key_sent_twice_at_once_gives_one_client(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second of two requests sent at once looks before the first has committed, finds
    nothing, and its insert then hits the unique key: it answers with the first's client."""
    ctx = Context(user=alice, via="api")
    data = actions.ClientData(
        given_name="Maria", family_name="Lopez", date_of_birth=dt.date(1979, 6, 14)
    )
    first = actions.create_client(ctx, data, key="at-once")
    looked = actions._created_before
    misses = iter([True])
    monkeypatch.setattr(
        actions,
        "_created_before",
        lambda *args: None if next(misses, False) else looked(*args),
    )
    assert actions.create_client(ctx, data, key="at-once") == first
    assert Client.objects.count() == 1
    assert writes() == [("create", "Client", str(first.pk))]


# ----------------------------------------------------------------------------- intakes
def test_a_retried_intake_with_the_same_key_returns_the_first_intake(alice: User) -> None:
    http = api(alice)
    client_id = new_client(http)
    body = LOW_BACK | {"red_flag_answers": {"cauda-equina-bladder": True}}
    path = f"/api/clients/{client_id}/intakes"
    first = post(http, path, body, key="intake-1")
    assert first.status_code == 201, first.json()
    events = writes()
    again = post(http, path, body, key="intake-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    stored = Intake.objects.get()
    assert (stored.pk, stored.client_id, stored.create_key) == (
        first.json()["id"],
        client_id,
        "intake-1",
    )
    assert stored.gate == Intake.Gate.BLOCKED
    assert events[1:] == [("create", "Intake", str(stored.pk)), ("block", "Intake", str(stored.pk))]
    assert writes() == events
    shown = http.get(f"/api/clients/{client_id}").json()
    assert [i["id"] for i in shown["intakes"]] == [stored.pk]


def test_the_same_intake_key_with_another_complaint_is_a_conflict(alice: User) -> None:
    http = api(alice)
    client_id = new_client(http)
    path = f"/api/clients/{client_id}/intakes"
    first = post(http, path, LOW_BACK, key="intake-2").json()
    events = writes()
    other = post(http, path, LOW_BACK | {"complaint": "Neck ache"}, key="intake-2")
    assert other.status_code == 409 and other.json()["field"] == "Idempotency-Key"
    assert "'intake-2' was used before with different data" in other.json()["detail"]
    assert list(Intake.objects.values_list("id", "complaint")) == [
        (first["id"], "Low back pain after gardening")
    ]
    assert writes() == events
    assert len(http.get(f"/api/clients/{client_id}").json()["intakes"]) == 1


def test_an_intake_key_counts_per_client(alice: User) -> None:
    http = api(alice)
    maria, other = new_client(http), new_client(http)
    first = post(http, f"/api/clients/{maria}/intakes", LOW_BACK, key="same").json()
    second = post(http, f"/api/clients/{other}/intakes", LOW_BACK, key="same")
    assert second.status_code == 201 and second.json()["id"] != first["id"]
    assert second.json()["client_id"] == other
    stored = Intake.objects.order_by("id").values_list("client_id", "create_key")
    assert list(stored) == [(maria, "same"), (other, "same")]


def test_an_intake_key_on_another_clinics_client_is_not_found(alice: User, bob: User) -> None:
    http = api(alice)
    client_id = new_client(http)
    post(http, f"/api/clients/{client_id}/intakes", LOW_BACK, key="intake-3")
    events = writes()
    refused = post(api(bob), f"/api/clients/{client_id}/intakes", LOW_BACK, key="intake-3")
    assert refused.status_code == 404 and refused.json()["detail"] == "not found"
    assert Intake.objects.count() == 1
    assert [e for e in writes() if e[0] != "refused"] == events


# ----------------------------------------------------------------------------- description
def test_the_description_documents_the_header_on_both_creates(alice: User) -> None:
    schema = Browser().get("/api/openapi.json").json()
    for path in ("/api/clients", "/api/clients/{client_id}/intakes"):
        parameters = schema["paths"][path]["post"]["parameters"]
        header = next(p for p in parameters if p["name"] == "Idempotency-Key")
        assert header["in"] == "header" and header["schema"]["maxLength"] == 64
        assert "409" in schema["paths"][path]["post"]["responses"]
