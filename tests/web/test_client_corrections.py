"""Corrections: a client's details and an intake (its complaint, pain drawing, history,
medications and answers) can be corrected, with the old values kept as a revision, shown
in a "Changes" history, and audited. A corrected intake is screened again: a red flag
newly answered yes closes the gate; one corrected to no does not reopen it.

The people are tests/personas.py's; the record is Dan Marlowe's (`build_world`): his
intake says "Low back pain after gardening" over LOW_BACK with no red flag."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from records_fixtures import (
    DAN_FAMILY_NAME,
    LOW_BACK,
    OVERRIDE_REASON,
    World,
    _intake_form,
    build_world,
    last_event_id,
    new_events,
    snapshot,
)

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions
from myomap.clients.models import ClientRevision, Intake, IntakeRevision
from myomap.records.errors import GateClosed, Invalid
from myomap.visits import actions as visit_actions

pytestmark = pytest.mark.django_db

REASON = "The client remembered it began while digging."


@pytest.fixture
def world() -> World:
    return build_world()


def _client_form(world: World, **changes: str) -> dict[str, str]:
    dan = world.client
    return {
        "given_name": dan.given_name,
        "family_name": dan.family_name,
        "date_of_birth": dan.date_of_birth.isoformat(),
        "email": dan.email,
        "phone": dan.phone,
    } | changes


def _intake_correction(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = _intake_form(world) | {
        "complaint": world.intake.complaint,
        "pain_drawing": json.dumps(LOW_BACK),
        "reason": REASON,
    }
    return body | changes


def _api_intake(**changes: Any) -> dict[str, Any]:
    return {"complaint": "Low back pain after gardening", "pain_drawing": LOW_BACK} | changes


# ----------------------------------------------------------------------------- the client
def test_the_client_edit_form_is_filled_with_the_record(world: World) -> None:
    first = last_event_id()
    page = world.web("alice").get(f"/clients/{world.client.pk}/edit/").content.decode()
    assert f'value="{DAN_FAMILY_NAME}"' in page and 'value="1980-05-17"' in page
    # Consent on record shows ticked and cannot be unticked by a correction.
    assert (
        page.count("disabled") == 2
        and "to treatment (neuromuscular therapy), on a signed form (on record)" in page
    )
    assert "Save the correction" in page
    [event] = new_events(first)
    assert event.action == AuditEvent.Action.VIEW and event.client == world.client


def test_correcting_a_client_keeps_the_old_values_and_shows_them(world: World) -> None:
    web = world.web("alice")
    first = last_event_id()
    body = _client_form(world, family_name="Marlow", phone="+44 20 7946 0999")
    body["reason"] = "Spelling from his passport."
    response = web.post(f"/clients/{world.client.pk}/edit/", body)
    assert response.status_code == 302 and response["Location"] == f"/clients/{world.client.pk}/"

    dan = world.client
    dan.refresh_from_db()
    assert dan.family_name == "Marlow" and dan.phone == "+44 20 7946 0999"
    assert dan.treatment_consent_at is not None  # the disabled boxes changed nothing
    revision = ClientRevision.objects.get(client=dan)
    assert revision.previous == {"family_name": DAN_FAMILY_NAME, "phone": ""}
    assert revision.changed == {"family_name": "Marlow", "phone": "+44 20 7946 0999"}
    assert revision.reason == "Spelling from his passport." and revision.changed_by == world.alice
    [event] = new_events(first)
    assert event.action == AuditEvent.Action.UPDATE and event.client == dan
    assert event.summary.startswith("client corrected: family_name, phone")

    page = web.get(f"/clients/{dan.pk}/").content.decode()
    assert "<h1>Dan Marlow</h1>" in page and "+44 20 7946 0999" in page
    assert "Changes" in page and "Spelling from his passport." in page
    assert f"<del>{DAN_FAMILY_NAME}</del>" in page and "<ins>Marlow</ins>" in page


def test_a_client_correction_that_changes_nothing_or_is_wrong_is_refused(world: World) -> None:
    web = world.web("alice")
    before = snapshot(audit=False)
    same = web.post(f"/clients/{world.client.pk}/edit/", _client_form(world))
    assert same.status_code == 200
    assert "nothing to correct" in same.content.decode()
    future = web.post(
        f"/clients/{world.client.pk}/edit/", _client_form(world, date_of_birth="2999-01-01")
    )
    assert "the date of birth must be a real date in the past" in future.content.decode()
    assert snapshot(audit=False) == before


def test_the_api_corrects_only_the_fields_it_is_sent(world: World) -> None:
    api = world.api("alice")
    first = last_event_id()
    response = api.patch(
        f"/api/clients/{world.client.pk}",
        {"email": "dan@example.org", "reason": "New address."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    out = response.json()
    assert out["email"] == "dan@example.org" and out["family_name"] == DAN_FAMILY_NAME
    revision = ClientRevision.objects.get(client=world.client)
    assert revision.previous == {"email": ""} and revision.reason == "New address."
    assert [e.action for e in new_events(first)] == ["update"]
    assert api.get(f"/api/clients/{world.client.pk}").json()["email"] == "dan@example.org"


def test_the_api_refuses_an_unknown_field_or_a_bad_address_and_changes_nothing(
    world: World,
) -> None:
    api = world.api("alice")
    before = snapshot()
    for body in ({"nickname": "D"}, {"email": "not-an-address"}, {"given_name": ""}):
        response = api.patch(
            f"/api/clients/{world.client.pk}", body, content_type="application/json"
        )
        assert response.status_code == 422, body
    assert snapshot() == before


# ----------------------------------------------------------------------------- the intake
def test_the_intake_edit_form_is_filled_with_the_intake_and_its_drawing(world: World) -> None:
    intake = client_intake(world, red_flag_answers={"cauda-equina-saddle": True})
    first = last_event_id()
    page = world.web("alice").get(f"/clients/intakes/{intake.pk}/edit/").content.decode()
    assert "Correct the intake" in page and "Back pain at night" in page
    # The body map reads the hidden field (compared as data: PostgreSQL keeps no key order).
    found = re.search(
        r'name="pain_drawing" value="([^"]*)"|value="([^"]*)"[^>]*name="pain_drawing"', page
    )
    assert found is not None, "the hidden pain drawing field is on the form"
    stored = html.unescape(found.group(1) or found.group(2))
    assert json.loads(stored) == LOW_BACK
    assert 'name="rf_cauda-equina-saddle" id="id_rf_cauda-equina-saddle" checked' in page
    assert 'name="reason"' in page and "Save the correction and screen again" in page
    [event] = new_events(first)
    assert event.action == AuditEvent.Action.VIEW and event.client == world.client


def client_intake(world: World, **answers: Any) -> Intake:
    return actions.record_intake(
        Context(user=world.alice),
        world.client,
        actions.IntakeData(complaint="Back pain at night", pain_drawing=LOW_BACK, **answers),
    )


def test_correcting_an_intake_keeps_the_old_values_and_shows_them(world: World) -> None:
    web = world.web("alice")
    first = last_event_id()
    body = _intake_correction(
        world,
        complaint="Low back pain after digging",
        pain_drawing=json.dumps({"sacrum": 5, "lumbar-upper-left": 7}),
        medications="Ibuprofen 400 mg when needed",
    )
    response = web.post(f"/clients/intakes/{world.intake.pk}/edit/", body)
    assert response.status_code == 302
    assert response["Location"] == f"/clients/intakes/{world.intake.pk}/"

    intake = Intake.objects.get(pk=world.intake.pk)
    assert intake.complaint == "Low back pain after digging"
    assert intake.pain_drawing == {"sacrum": 5, "lumbar-upper-left": 7}
    assert intake.gate == Intake.Gate.CLEAR
    revision = IntakeRevision.objects.get(intake=intake)
    assert revision.previous == {
        "complaint": "Low back pain after gardening",
        "pain_drawing": LOW_BACK,
        "medications": "",
    }
    assert revision.reason == REASON and revision.changed_by == world.alice
    [event] = new_events(first)
    assert event.action == AuditEvent.Action.UPDATE and event.client == world.client
    assert "complaint, pain_drawing, medications" in event.summary

    page = web.get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert "Low back pain after digging" in page and "Ibuprofen 400 mg" in page
    assert "Changes" in page and REASON in page
    assert "<del>Low back pain after gardening</del>" in page
    assert "Pain drawing: Sacrum" in page and "<del>3/10</del>" in page
    assert "<ins>not drawn</ins>" in page  # the lower lumbar region was taken out


def test_an_intake_correction_needs_a_reason_and_a_change(world: World) -> None:
    web = world.web("alice")
    before = snapshot(audit=False)
    url = f"/clients/intakes/{world.intake.pk}/edit/"
    short = web.post(url, _intake_correction(world, complaint="Back pain", reason="typo"))
    assert "say why the intake is corrected (at least 10 characters)" in short.content.decode()
    same = web.post(url, _intake_correction(world))
    assert "nothing to correct: the intake is as recorded" in same.content.decode()
    unknown = web.post(url, _intake_correction(world, pain_drawing='{"elbow-of-nowhere": 3}'))
    assert unknown.status_code == 200 and "elbow-of-nowhere" in unknown.content.decode()
    assert snapshot(audit=False) == before


def test_a_red_flag_newly_answered_yes_closes_the_gate(world: World) -> None:
    web = world.web("alice")
    first = last_event_id()
    body = _intake_correction(world) | {"rf_cauda-equina-saddle": "on"}
    response = web.post(f"/clients/intakes/{world.intake.pk}/edit/", body, follow=True)
    page = response.content.decode()

    intake = Intake.objects.get(pk=world.intake.pk)
    assert intake.gate == Intake.Gate.BLOCKED
    assert intake.red_flag_answers["cauda-equina-saddle"] is True
    revision = IntakeRevision.objects.get(intake=intake)
    assert revision.previous["gate"] == "clear" and revision.changed["gate"] == "blocked"
    assert sorted(e.action for e in new_events(first)) == ["block", "update", "view"]
    assert "A red flag is now answered yes" in page  # the message after the save
    assert "Red flag — treatment planning is stopped" in page
    with pytest.raises(GateClosed):
        visit_actions.start_visit(Context(user=world.alice), world.client, intake)


def test_a_new_red_flag_after_an_override_closes_the_gate_again(world: World) -> None:
    ctx = Context(user=world.alice)
    intake = client_intake(world, red_flag_answers={"cauda-equina-saddle": True})
    intake = actions.override_red_flag(ctx, intake, OVERRIDE_REASON)
    data = actions.IntakeData(
        complaint="Back pain at night",
        pain_drawing=LOW_BACK,
        red_flag_answers={"cauda-equina-saddle": True, "cauda-equina-bladder": True},
    )
    corrected = actions.update_intake(ctx, intake, data, REASON)
    intake.refresh_from_db()
    assert intake.gate == Intake.Gate.BLOCKED and intake.gate_note == ""
    assert "treatment planning is stopped" in corrected.notice
    previous = IntakeRevision.objects.get(intake=intake).previous
    assert previous["gate"] == "overridden" and previous["gate_note"] == OVERRIDE_REASON


def test_a_red_flag_corrected_to_no_does_not_reopen_the_gate(world: World) -> None:
    intake = client_intake(world, red_flag_answers={"cauda-equina-saddle": True})
    api = world.api("alice")
    response = api.put(
        f"/api/intakes/{intake.pk}",
        _api_intake(
            complaint="Back pain at night", reason="Misheard: no numbness between the legs."
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    out = response.json()
    assert out["red_flag_answers"] == {} and out["gate"]["state"] == "blocked"
    assert "the safety gate stays closed" in out["notice"]
    intake.refresh_from_db()
    assert intake.gate == Intake.Gate.BLOCKED
    assert IntakeRevision.objects.get(intake=intake).previous == {
        "red_flag_answers": {"cauda-equina-saddle": True}
    }

    page = world.web("alice").get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert "the safety gate stays closed" in page and "Override the red flag" in page
    overridden = world.web("alice").post(
        f"/clients/intakes/{intake.pk}/override/", {"reason": OVERRIDE_REASON}
    )
    assert overridden.status_code == 302
    intake.refresh_from_db()
    assert intake.gate == Intake.Gate.OVERRIDDEN


def test_a_red_flag_corrected_to_no_while_waiting_for_clearance_still_waits(
    world: World,
) -> None:
    ctx = Context(user=world.alice)
    intake = client_intake(world, red_flag_answers={"cauda-equina-saddle": True})
    intake = actions.record_referral(ctx, intake, "Advised A&E now, by phone.")
    assert intake.gate == Intake.Gate.AWAITING
    data = actions.IntakeData(complaint="Back pain at night", pain_drawing=LOW_BACK)
    corrected = actions.update_intake(ctx, intake, data, "Misheard: no numbness at all.")
    intake.refresh_from_db()
    assert intake.gate == Intake.Gate.AWAITING and intake.red_flag_answers == {}
    assert "the safety gate stays closed" in corrected.notice
    with pytest.raises(GateClosed):
        visit_actions.start_visit(ctx, world.client, intake)


def test_the_api_correction_of_an_intake_is_stored_and_answered(world: World) -> None:
    api = world.api("alice")
    first = last_event_id()
    body = _api_intake(history="Desk work.", factor_answers={}, reason=REASON)
    response = api.put(f"/api/intakes/{world.intake.pk}", body, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["history"] == "Desk work." and response.json()["notice"] == ""
    revision = IntakeRevision.objects.get(intake=world.intake)
    assert revision.previous == {"history": ""} and revision.changed == {"history": "Desk work."}
    assert [e.action for e in new_events(first)] == ["update"]
    assert api.get(f"/api/intakes/{world.intake.pk}").json()["history"] == "Desk work."

    before = snapshot()
    refused = api.put(
        f"/api/intakes/{world.intake.pk}",
        _api_intake(history="Other", reason="x"),
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    assert snapshot() == before


# ----------------------------------------------------------------------------- who may
def test_a_client_login_cannot_correct_and_another_clinic_gets_not_found(world: World) -> None:
    before, first = snapshot(audit=False), last_event_id()
    dan, bob = world.web("dan"), world.web("bob")
    client_url = f"/clients/{world.client.pk}/edit/"
    intake_url = f"/clients/intakes/{world.intake.pk}/edit/"
    for browser, status in ((dan, 403), (bob, 404)):
        assert browser.get(client_url).status_code == status
        assert browser.post(client_url, _client_form(world, phone="1")).status_code == status
        assert browser.get(intake_url).status_code == status
        assert browser.post(intake_url, _intake_correction(world)).status_code == status
    for persona, status in (("dan", 403), ("bob", 404)):
        api = world.api(persona)
        patched = api.patch(
            f"/api/clients/{world.client.pk}", {"phone": "1"}, content_type="application/json"
        )
        assert patched.status_code == status
        put = api.put(
            f"/api/intakes/{world.intake.pk}",
            _api_intake(reason=REASON, history="x"),
            content_type="application/json",
        )
        assert put.status_code == status
        assert DAN_FAMILY_NAME not in put.content.decode() or persona == "dan"
    assert snapshot(audit=False) == before
    # Only bob's attempts are logged, as refused, for Lakeside; dan's 403s are not.
    refused = {(e.action, e.actor) for e in new_events(first)}
    assert refused == {(AuditEvent.Action.REFUSED, world.bob)}
    page = world.web("dan").get(f"/clients/intakes/{world.intake.pk}/").content.decode()
    assert "/edit/" not in page


def test_an_action_refuses_a_correction_from_another_clinic(world: World) -> None:
    with pytest.raises(Exception, match="another clinic"):
        actions.update_intake(
            Context(user=world.bob), world.intake, actions.IntakeData("Hip pain"), REASON
        )
    with pytest.raises(Invalid):
        actions.update_intake(
            Context(user=world.alice), world.intake, actions.IntakeData(""), REASON
        )
    assert not IntakeRevision.objects.exists()
