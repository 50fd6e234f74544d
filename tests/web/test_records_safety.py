"""Safety rules of the records that a reviewer would try to break: a red flag on any
intake stops visits, saved plans keep their safety notes and limits, a client reads only
signed notes, and old records open even when the knowledge base changed.

The people are tests/personas.py's: alice (therapist at Lakeside) and dan (a Lakeside
client with his own login; his record is Dan Marlowe's). Gail Fenwick is a Lakeside client
without a login."""

from __future__ import annotations

import pytest

from myomap.audit.log import Context
from myomap.clients import actions as clients
from myomap.clients.models import Client
from myomap.records.errors import GateClosed, Invalid
from myomap.visits import actions as visits
from myomap.visits import queries as visit_queries
from myomap.visits.models import PlanStep
from personas import DAN_BORN, DAN_FAMILY_NAME, GAIL_BORN, GAIL_FAMILY_NAME

BACK = {"lumbar-lower-left": 6, "buttock-upper-left": 5}
STEP = dict(
    trigger_point="quadratus-lumborum-deep-cranial",
    side="left",
    technique="soft-tissue-release",
    pressure="light",
    hold_seconds=0,
)


GAIL = ("Gail", GAIL_FAMILY_NAME, GAIL_BORN)
DAN = ("Dan", DAN_FAMILY_NAME, DAN_BORN)


def new_client(alice, who=GAIL, **answers):  # type: ignore[no-untyped-def]
    """A Lakeside client's record (Gail's, a client without a login, unless `who` says
    otherwise) with both consents and an intake for low back pain."""
    ctx = Context(user=alice)
    client = clients.create_client(ctx, clients.ClientData(*who, "", "", True, True))
    intake = clients.record_intake(
        ctx, client, clients.IntakeData(complaint="Low back pain", pain_drawing=BACK, **answers)
    )
    return ctx, client, intake


def test_a_red_flag_on_a_newer_intake_stops_a_visit_from_an_older_one(alice, client):
    ctx, person, old = new_client(alice)
    clients.record_intake(
        ctx,
        person,
        clients.IntakeData(
            complaint="Now numb between the legs", red_flag_answers={"cauda-equina-saddle": True}
        ),
    )
    with pytest.raises(GateClosed):
        visits.start_visit(ctx, person, old)
    client.force_login(alice)
    page = client.get(f"/clients/intakes/{old.pk}/").content.decode()
    assert "Start a visit from this intake" not in page
    assert "has a red flag that is not resolved" in page


def test_an_overridden_red_flag_stays_visible_on_every_visit_tab(alice, client):
    ctx, person, intake = new_client(alice, red_flag_answers={"cauda-equina-saddle": True})
    reason = "Long-standing and assessed by the GP; cleared to treat."
    intake = clients.override_red_flag(ctx, intake, reason)
    visit = visits.start_visit(ctx, person, intake)
    client.force_login(alice)
    for path in (f"/visits/{visit.pk}/", f"/visits/{visit.pk}/plan/", f"/visits/{visit.pk}/note/"):
        page = client.get(path).content.decode()
        assert "safety-banner red" in page and "saddle" in page.lower(), path


def test_saving_a_plan_keeps_its_safety_notes_and_refuses_deep_pressure(alice):
    ctx, person, intake = new_client(alice, contraindication_answers={"anticoagulants": True})
    visit = visits.start_visit(ctx, person, intake)
    visits.save_plan(ctx, visit, [visits.StepData(**STEP)])
    saved = PlanStep.objects.get(visit=visit)
    assert any("Light pressure only" in note for note in saved.modifications)
    with pytest.raises(Invalid, match="Light pressure only") as refused:
        visits.save_plan(ctx, visit, [visits.StepData(**STEP | {"pressure": "deep"})])
    assert refused.value.field == "pressure"
    assert PlanStep.objects.get(visit=visit).pressure == "light"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"side": "upside-down"}, "side"),
        ({"technique": "ischemic-compression", "hold_seconds": 90}, "hold_seconds"),
    ],
)
def test_a_plan_step_with_a_bad_side_or_dose_is_refused(alice, change, field):
    ctx, person, intake = new_client(alice)
    visit = visits.start_visit(ctx, person, intake)
    with pytest.raises(Invalid) as refused:
        visits.save_plan(ctx, visit, [visits.StepData(**STEP | change)])
    assert refused.value.field == field


def test_a_negative_step_count_does_not_wipe_the_plan(alice, client):
    ctx, person, intake = new_client(alice)
    visit = visits.start_visit(ctx, person, intake)
    visits.save_plan(ctx, visit, [visits.StepData(**STEP)])
    client.force_login(alice)
    response = client.post(f"/visits/{visit.pk}/plan/save/", {"count": "-5"})
    assert response.status_code == 400
    assert PlanStep.objects.filter(visit=visit).count() == 1


def test_redrafting_needs_the_current_revision_so_hand_edits_are_not_lost(alice):
    ctx, person, intake = new_client(alice)
    visit = visits.start_visit(ctx, person, intake)
    draft = visits.draft_note(ctx, visit)
    edited = visits.save_note(
        ctx,
        visit,
        revision=draft.revision,
        subjective="Typed by hand",
        objective="",
        assessment="",
        plan="",
    )
    with pytest.raises(Exception, match="changed since you opened it"):
        visits.draft_note(ctx, visit, revision=draft.revision)
    assert visit_queries.latest_version(visit).subjective == "Typed by hand"
    redrafted = visits.draft_note(ctx, visit, revision=edited.revision)
    assert redrafted.subjective != "Typed by hand"


def test_a_client_reads_only_signed_notes_and_sees_no_forms(alice, dan, client):
    ctx, person, intake = new_client(alice, DAN)
    visit = visits.start_visit(ctx, person, intake)
    draft = visits.draft_note(ctx, visit)
    Client.objects.filter(pk=person.pk).update(user=dan)
    client.force_login(dan)
    page = client.get(f"/visits/{visit.pk}/note/").content.decode()
    assert "No signed note yet" in page and draft.subjective not in page
    assessment = client.get(f"/visits/{visit.pk}/").content.decode()
    assert "palpation-form" not in assessment and "Record test" not in assessment
    visits.sign_note(ctx, visit, revision=draft.revision)
    assert "signed" in client.get(f"/visits/{visit.pk}/note/").content.decode()


def test_an_old_record_opens_after_the_knowledge_base_dropped_its_ids(alice, client):
    ctx, person, intake = new_client(alice, red_flag_answers={"cauda-equina-saddle": True})
    reason = "Long-standing and assessed by the GP; cleared to treat."
    intake = clients.override_red_flag(ctx, intake, reason)
    visit = visits.start_visit(ctx, person, intake)
    visits.save_plan(ctx, visit, [visits.StepData(**STEP)])
    type(intake).objects.filter(pk=intake.pk).update(
        pain_drawing=BACK | {"retired-region-left": 4},
        red_flag_answers={"cauda-equina-saddle": True, "a-retired-flag": True},
        factor_answers={"a-retired-question": True},
    )
    PlanStep.objects.filter(visit=visit).update(trigger_point="a-retired-point")
    client.force_login(alice)
    for path in (
        f"/clients/intakes/{intake.pk}/",
        f"/visits/{visit.pk}/",
        f"/visits/{visit.pk}/plan/",
        f"/visits/{visit.pk}/note/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    page = client.get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert "a-retired-flag (no longer in the knowledge base)" in page
    # The note can still be drafted from what the knowledge base still knows.
    assert client.post(f"/visits/{visit.pk}/note/draft/").status_code == 302


def test_a_condition_that_needs_the_doctor_blocks_the_plan_until_clearance_is_recorded(
    alice, client
):
    ctx, person, intake = new_client(alice, contraindication_answers={"high-risk-pregnancy": True})
    visit = visits.start_visit(ctx, person, intake)
    with pytest.raises(GateClosed, match="waits for the doctor's clearance"):
        visits.propose_plan(ctx, visit)
    assert not visit.plan_steps.exists()
    client.force_login(alice)
    # Propose says why it does nothing, instead of silently doing nothing.
    page = client.post(f"/visits/{visit.pk}/plan/propose/").content.decode()
    assert "waits for the doctor&#x27;s clearance" in page
    page = client.get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert "Record the doctor&#x27;s clearance" in page or "Record the doctor's clearance" in page
    response = client.post(f"/clients/intakes/{intake.pk}/clearance/", {"note": "ok"})
    assert response.status_code == 400 and "say who cleared" in response.content.decode()
    note = "Cleared by her obstetrician, Dr Aziz, by phone on Monday."
    response = client.post(f"/clients/intakes/{intake.pk}/clearance/", {"note": note})
    assert response.status_code == 302
    assert (
        "Medical clearance recorded"
        in client.get(f"/clients/intakes/{intake.pk}/").content.decode()
    )
    visit.refresh_from_db()
    assert visits.propose_plan(ctx, visit).steps


def test_an_edited_plan_cannot_put_pressure_back_on_a_point_in_a_dvt_area(alice):
    ctx, person, intake = new_client(alice, contraindication_answers={"deep-vein-thrombosis": True})
    visit = visits.start_visit(ctx, person, intake)
    calf = STEP | {
        "trigger_point": "soleus-upper",
        "technique": "ischemic-compression",
        "pressure": "moderate",
        "hold_seconds": 20,
    }
    with pytest.raises(Invalid, match="ruled out here") as refused:
        visits.save_plan(ctx, visit, [visits.StepData(**calf)])
    assert refused.value.field == "technique"
    # The same technique on a low-back point is allowed, with the note to avoid the area.
    back = calf | {"trigger_point": "quadratus-lumborum-deep-cranial"}
    saved = visits.save_plan(ctx, visit, [visits.StepData(**back)])
    assert any("affected area" in note for note in saved[0].modifications)
