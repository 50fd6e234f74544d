"""Input at the API's edge: control characters and NUL, numbers too large for a column,
strict yes/no and dates, errors that do not echo a whole input, and an OpenAPI description
that says all of it. Every refusal is a 422 naming the field, and changes no stored row.

The world is tests/web/records_fixtures.py's: alice (Lakeside's therapist) works on Dan
Marlowe's record; carol is Lakeside's clinic admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as Browser
from records_fixtures import World, build_world, snapshot

from myomap.clients.models import Client
from personas import DAN_FAMILY_NAME

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63
NEW_CLIENT = {"given_name": "Nora", "family_name": "Quill", "date_of_birth": "1975-09-30"}


@pytest.fixture
def world() -> World:
    return build_world()


def send(http: Browser, method: str, path: str, body: Any = None) -> Any:
    return getattr(http, method)(path, json.dumps(body), content_type="application/json")


def refused(response: Any, field: str) -> str:
    """The 422's message for `field` (the last part of some problem's `loc`)."""
    assert response.status_code == 422, response.content[:500]
    problems = [p for p in response.json()["detail"] if p["loc"][-1] == field]
    assert problems, response.json()
    return str(problems[0]["msg"])


# ----------------------------------------------------------------------------- characters
@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_a_new_clients_name_is_refused_naming_the_field(
    world: World, character: str
) -> None:
    before = snapshot()
    api = world.api("alice")
    response = send(api, "post", "/api/clients", NEW_CLIENT | {"family_name": f"Qu{character}ill"})
    assert "control character" in refused(response, "family_name")
    assert snapshot() == before
    listed = api.get("/api/clients", {"q": "Qu"}).json()
    assert listed["count"] == 0


def test_tabs_and_line_breaks_stay_allowed_in_free_text(world: World) -> None:
    api = world.api("alice")
    complaint = "Low back pain\n\tafter gardening\r\nworse in the morning"
    response = send(
        api, "post", f"/api/clients/{world.client.pk}/intakes", {"complaint": complaint}
    )
    assert response.status_code == 201, response.json()
    assert world.client.intakes.get(pk=response.json()["id"]).complaint == complaint
    assert api.get(f"/api/intakes/{response.json()['id']}").json()["complaint"] == complaint


def test_a_nul_in_a_correction_or_a_note_is_refused_and_the_record_is_unchanged(
    world: World,
) -> None:
    before = snapshot()
    api = world.api("alice")
    patch = send(api, "patch", f"/api/clients/{world.client.pk}", {"phone": "+44\x0020"})
    assert "U+0000" in refused(patch, "phone")
    note = {"revision": world.revision(), "subjective": "Sore\x00", "objective": ""}
    note |= {"assessment": "", "plan": ""}
    assert "U+0000" in refused(
        send(api, "put", f"/api/visits/{world.visit.pk}/note", note), "subjective"
    )
    step = {"trigger_point": "quadratus-lumborum-deep-cranial", "side": "left"}
    step |= {"technique": "ischemic-compression", "pressure": "moderate", "hold_seconds": 60}
    plan = {"steps": [step | {"reason": "tender\x07"}]}
    response = send(api, "put", f"/api/visits/{world.visit.pk}/plan", plan)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-3:] == ["steps", 0, "reason"]
    assert snapshot() == before
    shown = api.get(f"/api/clients/{world.client.pk}").json()
    assert shown["family_name"] == DAN_FAMILY_NAME and "\x00" not in shown["phone"]


def test_a_control_character_in_a_region_id_names_the_pain_drawing(world: World) -> None:
    before = snapshot()
    response = send(
        world.api("alice"),
        "post",
        f"/api/clients/{world.client.pk}/intakes",
        {"complaint": "Back pain", "pain_drawing": {"sacrum\x00": 3}},
    )
    assert "U+0000" in refused(response, "pain_drawing")
    assert snapshot() == before


def test_a_nul_in_the_client_search_is_refused_naming_q(world: World) -> None:
    response = world.api("alice").get("/api/clients", {"q": "Dan\x00"})
    assert "U+0000" in refused(response, "q")


# ----------------------------------------------------------------------------- numbers
def test_numbers_too_large_for_an_id_are_refused_never_a_server_error(world: World) -> None:
    before = snapshot(audit=False)
    assert world.api("carol").get("/api/audit", {"client": TOO_BIG}).status_code == 422
    api = world.api("alice")
    for path in (f"/api/visits/{TOO_BIG}", f"/api/clients/{TOO_BIG}", f"/api/intakes/{TOO_BIG}"):
        assert api.get(path).status_code == 422, path
    assert api.get(f"/api/visits/{TOO_BIG - 1}").status_code == 404
    assert (
        send(api, "post", f"/api/visits/{TOO_BIG}/note/amend", {"reason": "x"}).status_code == 422
    )
    assert snapshot(audit=False) == before


def test_a_revision_too_large_is_refused_and_the_note_is_unchanged(world: World) -> None:
    before = snapshot()
    api = world.api("alice")
    sign = send(api, "post", f"/api/visits/{world.visit.pk}/note/sign", {"revision": 2**31})
    refused(sign, "revision")
    draft = api.post(f"/api/visits/{world.visit.pk}/note/draft?revision={TOO_BIG}")
    refused(draft, "revision")
    assert snapshot() == before
    assert api.get(f"/api/visits/{world.visit.pk}/note").json()["current"]["signed"] is False


# ----------------------------------------------------------------------------- strict types
@pytest.mark.parametrize("born", [0, 19750930, "1975-09-30T00:00:00", True])
def test_a_date_of_birth_must_be_written_as_a_date(world: World, born: Any) -> None:
    before = snapshot()
    response = send(
        world.api("alice"), "post", "/api/clients", NEW_CLIENT | {"date_of_birth": born}
    )
    refused(response, "date_of_birth")
    assert snapshot() == before


@pytest.mark.parametrize("answer", ["yes", "true", 1, "on"])
def test_a_yes_must_be_true_not_a_word_or_a_number(world: World, answer: Any) -> None:
    before = snapshot()
    api = world.api("alice")
    new = send(api, "post", "/api/clients", NEW_CLIENT | {"data_consent": answer})
    refused(new, "data_consent")
    consent = send(
        api,
        "post",
        f"/api/clients/{world.erin_client.pk}/consent",
        {"data_consent": answer, "how": "verbal"},
    )
    refused(consent, "data_consent")
    flag = send(
        api,
        "post",
        f"/api/clients/{world.client.pk}/intakes",
        {"complaint": "Back pain", "red_flag_answers": {"cauda-equina-bladder": answer}},
    )
    assert flag.status_code == 422
    assert snapshot() == before
    erin = api.get(f"/api/clients/{world.erin_client.pk}").json()
    assert erin["consent"]["data"]["given"] is False and erin["data_consent_at"] is None


def test_a_real_date_and_true_are_still_taken(world: World) -> None:
    api = world.api("alice")
    body = NEW_CLIENT | {"date_of_birth": "1975-09-30", "data_consent": True}
    response = send(api, "post", "/api/clients", body)
    assert response.status_code == 201, response.json()
    stored = Client.objects.get(pk=response.json()["id"])
    assert stored.date_of_birth.isoformat() == "1975-09-30" and stored.data_consent_at is not None


# ----------------------------------------------------------------------------- echoes
def test_an_error_never_echoes_a_long_input_back_whole(world: World) -> None:
    api = world.api("alice")
    long = "x" * 100_000
    before = snapshot()
    bad_intensity = send(
        api,
        "post",
        f"/api/clients/{world.client.pk}/intakes",
        {"complaint": "Back pain", "pain_drawing": {long: 11}},
    )
    assert bad_intensity.status_code == 422 and len(bad_intensity.content) < 3000
    not_a_number = send(
        api,
        "post",
        f"/api/clients/{world.client.pk}/intakes",
        {"complaint": "Back pain", "pain_drawing": {long: "seven"}},
    )
    assert not_a_number.status_code == 422 and len(not_a_number.content) < 3000
    unknown_point = send(
        api,
        "post",
        f"/api/visits/{world.visit.pk}/palpation",
        {"trigger_point": long, "side": "left"},
    )
    assert unknown_point.status_code == 400 and len(unknown_point.content) < 3000
    assert unknown_point.json()["field"] == "trigger_point"
    unknown_region = send(
        api,
        "post",
        f"/api/clients/{world.client.pk}/intakes",
        {"complaint": "Back pain", "pain_drawing": {long: 3}},
    )
    assert unknown_region.status_code == 400 and len(unknown_region.content) < 3000
    assert snapshot() == before


# ----------------------------------------------------------------------------- description
def test_the_openapi_description_documents_401_422_and_the_bounds() -> None:
    schema = Browser().get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"401", "422"} <= operation["responses"].keys(), (method, path)
    parts = schema["components"]["schemas"]
    name = parts["ClientIn"]["properties"]["given_name"]
    assert (name["minLength"], name["maxLength"]) == (1, 100) and "pattern" in name
    assert parts["ClientIn"]["properties"]["date_of_birth"]["format"] == "date"
    assert "1900" in parts["ClientIn"]["properties"]["date_of_birth"]["description"]
    assert parts["PlanIn"]["properties"]["steps"]["maxItems"] >= 1
    visit_id = schema["paths"]["/api/visits/{visit_id}"]["get"]["parameters"][0]["schema"]
    assert visit_id["maximum"] == 2**63 - 1


def test_a_control_character_in_the_idempotency_key_is_refused(world: World) -> None:
    before = snapshot()
    api = world.api("alice")
    response = api.post(
        f"/api/intakes/{world.intake.pk}/visits", headers={"Idempotency-Key": "k\x01"}
    )
    assert "U+0001" in refused(response, "Idempotency-Key")
    assert snapshot() == before


# ----------------------------------------------------------------------------- web forms
def test_a_control_character_on_the_new_client_form_is_an_error_beside_the_field(
    world: World,
) -> None:
    before = snapshot()
    form = NEW_CLIENT | {"family_name": "Qu\x1bill", "given_name": "No\x00ra"}
    response = world.web("alice").post("/clients/new/", form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "U+001B" in errors["family_name"][0]
    assert errors["given_name"]  # Django's own refusal of a NUL, or ours
    assert "only tabs and line breaks" in response.content.decode()
    assert snapshot() == before


def test_a_nul_in_a_note_on_the_web_is_a_form_error_and_the_note_is_unchanged(
    world: World,
) -> None:
    before = snapshot(audit=False)
    form = {"revision": world.revision(), "subjective": "Better\x0b today.", "objective": ""}
    form |= {"assessment": "", "plan": "Home stretches.\n\tTwice a day.", "save": ""}
    response = world.web("alice").post(f"/visits/{world.visit.pk}/note/save/", form)
    assert response.status_code in (200, 400)
    assert "U+000B" in response.content.decode()
    assert snapshot(audit=False) == before


def test_an_intake_questions_answer_must_be_a_number_or_a_yes_not_text(world: World) -> None:
    before = snapshot()
    response = send(
        world.api("alice"),
        "post",
        f"/api/clients/{world.client.pk}/intakes",
        {"complaint": "Back pain", "factor_answers": {"sleep-poor": "2"}},
    )
    assert response.status_code == 422
    assert "factor_answers" in response.json()["detail"][0]["loc"]
    assert snapshot() == before


def test_no_two_schemas_of_the_api_share_a_name() -> None:
    """The API's description names each schema by its class: two classes of one name (the
    session's points and the portal's own point were both `PointOut`) would make one
    overwrite the other, and answers would not match their description."""
    import collections
    import inspect

    from ninja import Schema

    from myomap.api import (
        outcome_schemas,
        portal_schemas,
        schemas,
        session_schemas,
        visit_schemas,
    )

    named: dict[str, set[str]] = collections.defaultdict(set)
    for module in (schemas, session_schemas, visit_schemas, portal_schemas, outcome_schemas):
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Schema) and value is not Schema:
                named[value.__name__].add(value.__module__)
    assert {name: where for name, where in named.items() if len(where) > 1} == {}
