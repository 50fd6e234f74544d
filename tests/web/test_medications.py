"""The medications text is read: an intake that names warfarin and prednisolone with
every box unticked no longer says "No red flags or contraindications", the blood-thinner
rules apply until the therapist says otherwise, and a confirmed steroid red flag closes
the safety gate. On the intake page and through the API, with the stored row and the
audit event checked after every write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as Browser

from myomap.accounts.models import User
from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions
from myomap.clients.models import Intake
from myomap.records.errors import GateClosed, Invalid
from myomap.visits import actions as visits
from myomap.visits.models import PlanStep

pytestmark = pytest.mark.django_db

NOT_USED = "Ischemic compression (trigger point pressure release): not used"
EXAMPLE = "Warfarin 5 mg daily; prednisolone 10 mg for 2 years"
WARFARIN_QUESTION = (
    "The medications mention Warfarin (a blood-thinning medicine): does the client take it?"
)
LOW_BACK = {"lumbar-upper-left": 7, "lumbar-lower-left": 5}


def intake_of(alice: User, medications: str = EXAMPLE) -> Intake:
    ctx = Context(user=alice, via="cli")
    client = actions.create_client(
        ctx,
        actions.ClientData(
            "Iris", "Penhale", dt.date(1958, 3, 4), treatment_consent=True, data_consent=True
        ),
    )
    return actions.record_intake(
        ctx,
        client,
        actions.IntakeData(
            complaint="Low back pain after lifting", pain_drawing=LOW_BACK, medications=medications
        ),
    )


def web(alice: User) -> Browser:
    browser = Browser()
    browser.force_login(alice)
    return browser


def api(alice: User) -> Browser:
    token = ApiToken.issue(alice, "tests")[1]
    return Browser(headers={"Authorization": f"Bearer {token}"})


def proposed_techniques(alice: User, intake: Intake) -> set[str]:
    ctx = Context(user=alice, via="cli")
    visit = visits.start_visit(ctx, intake.client, intake)
    visits.record_palpation(
        ctx,
        visit,
        visits.PalpationData(
            "quadratus-lumborum-deep-caudal", "left", tender=6, taut_band=True, referral=True
        ),
    )
    visits.propose_plan(ctx, visit)
    return set(PlanStep.objects.filter(visit=visit).values_list("technique", flat=True))


def events(intake: Intake, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=str(intake.pk), action=action).order_by("pk"))


# ----------------------------------------------------------------------------- web
def test_the_intake_page_asks_about_the_medicines_instead_of_saying_all_clear(
    alice: User,
) -> None:
    intake = intake_of(alice)

    page = web(alice).get(f"/clients/intakes/{intake.pk}/").content.decode()

    assert "No red flags or contraindications" not in page
    assert WARFARIN_QUESTION in page
    assert "The medications mention prednisolone (a steroid medicine): ask the client:" in page
    assert "Yes, record it" in page and "No, not taken" in page
    assert NOT_USED in page


def test_ischemic_compression_is_not_proposed_while_warfarin_is_named(alice: User) -> None:
    intake = intake_of(alice)
    assert "ischemic-compression" not in proposed_techniques(alice, intake)
    # The same findings without a medicine named: ischemic compression is the first choice.
    plain = intake_of(alice, medications="")
    assert "ischemic-compression" in proposed_techniques(alice, plain)


def test_answering_not_taken_drops_the_blood_thinner_rules(alice: User) -> None:
    intake = intake_of(alice)
    browser = web(alice)

    response = browser.post(
        f"/clients/intakes/{intake.pk}/medications/",
        {"target": "anticoagulants", "answer": "no"},
    )

    assert response.status_code == 302
    intake.refresh_from_db()
    row = intake.medication_review["anticoagulants"]
    assert row["answer"] is False and row["by"] == alice.pk
    assert dt.datetime.fromisoformat(row["at"]).tzinfo is not None
    assert intake.contraindication_answers == {} and intake.gate == Intake.Gate.CLEAR
    [event] = events(intake, AuditEvent.Action.UPDATE)
    assert event.actor == alice
    assert "Warfarin" in event.summary and "does not take it" in event.summary
    page = browser.get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert WARFARIN_QUESTION not in page
    assert "not taken" in page and NOT_USED not in page
    assert "Ask the client about the medicines the intake names: prednisolone." in page
    assert "ischemic-compression" in proposed_techniques(alice, intake)


def test_confirming_warfarin_keeps_the_rules_as_if_the_box_were_ticked(alice: User) -> None:
    intake = intake_of(alice)
    browser = web(alice)

    browser.post(
        f"/clients/intakes/{intake.pk}/medications/",
        {"target": "anticoagulants", "answer": "yes"},
    )

    intake.refresh_from_db()
    assert intake.medication_review["anticoagulants"]["answer"] is True
    page = browser.get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert WARFARIN_QUESTION not in page and NOT_USED in page
    assert "<strong>Warfarin</strong>: taken" in page
    assert "ischemic-compression" not in proposed_techniques(alice, intake)


def test_confirming_long_term_steroids_records_the_red_flag_and_closes_the_gate(
    alice: User,
) -> None:
    intake = intake_of(alice)
    browser = web(alice)

    response = browser.post(
        f"/clients/intakes/{intake.pk}/medications/",
        {"target": "fracture-long-term-steroids", "answer": "yes"},
    )

    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.red_flag_answers == {"fracture-long-term-steroids": True}
    assert intake.gate == Intake.Gate.BLOCKED
    assert intake.medication_review["fracture-long-term-steroids"]["answer"] is True
    assert len(events(intake, AuditEvent.Action.UPDATE)) == 1
    [block] = events(intake, AuditEvent.Action.BLOCK)
    assert "Long-term corticosteroid use" in block.summary
    page = browser.get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert "Red flag — treatment planning is stopped" in page
    with pytest.raises(GateClosed):
        visits.start_visit(Context(user=alice), intake.client, intake)
    # A recorded red flag stays: it cannot be answered away afterwards.
    with pytest.raises(Invalid) as refused:
        actions.review_medication(Context(user=alice), intake, "fracture-long-term-steroids", False)
    assert refused.value.field == "target"


def test_a_medicine_the_text_does_not_name_is_refused_on_the_page(alice: User) -> None:
    intake = intake_of(alice)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count()

    response = web(alice).post(
        f"/clients/intakes/{intake.pk}/medications/", {"target": "antiplatelets", "answer": "yes"}
    )

    assert response.status_code == 400
    assert "names no medicine for &#x27;antiplatelets&#x27;" in response.content.decode()
    intake.refresh_from_db()
    assert intake.medication_review == {}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count() == before


# ----------------------------------------------------------------------------- API
def test_the_api_lists_the_matches_and_records_the_answer(alice: User) -> None:
    intake = intake_of(alice)
    browser = api(alice)

    before = browser.get(f"/api/intakes/{intake.pk}").json()["screening"]
    assert [
        (m["drug_class"], m["target_id"], m["answer"]) for m in before["medication_matches"]
    ] == [
        ("anticoagulants", "anticoagulants", None),
        ("oral-corticosteroids", "fracture-long-term-steroids", None),
    ]
    assert before["medication_matches"][0]["words"] == ["Warfarin"]
    assert "No red flags or contraindications" not in before["headline"]
    assert "Warfarin and prednisolone" in before["headline"]

    response = browser.post(
        f"/api/intakes/{intake.pk}/medications",
        {"target": "fracture-long-term-steroids", "answer": False},
        content_type="application/json",
    )

    assert response.status_code == 200
    after = response.json()["screening"]
    assert after["medication_matches"][1]["answer"] is False
    assert after["headline"].endswith(
        "Ask the client about the medicines the intake names: Warfarin."
    )
    assert not after["blocked"] and response.json()["gate"]["state"] == "clear"
    intake.refresh_from_db()
    assert intake.medication_review["fracture-long-term-steroids"]["answer"] is False
    assert intake.red_flag_answers == {}
    [event] = events(intake, AuditEvent.Action.UPDATE)
    assert event.via == "api" and "prednisolone" in event.summary


def test_the_api_refuses_an_id_the_text_does_not_name_naming_the_field(alice: User) -> None:
    intake = intake_of(alice, medications="Warfarin 5 mg daily")

    response = api(alice).post(
        f"/api/intakes/{intake.pk}/medications",
        {"target": "fever", "answer": True},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["field"] == "target"
    assert "'fever'" in response.json()["detail"] and "anticoagulants" in response.json()["detail"]
    intake.refresh_from_db()
    assert intake.medication_review == {}
    assert events(intake, AuditEvent.Action.UPDATE) == []
