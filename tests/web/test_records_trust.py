"""Records you can trust: each defect a new user met in the records flow, with what is
stored afterwards and what the web page or the API then shows.

The people are tests/personas.py's; the record is Dan Marlowe's (`build_world`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from records_fixtures import LOW_BACK, World, build_world

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.clients.models import Intake
from myomap.core.kb import load_default
from myomap.records.errors import GateClosed, Invalid, Locked
from myomap.visits import actions as visit_actions
from myomap.visits import queries as visit_queries
from myomap.visits.models import NoteVersion, PalpationFinding, PlanStep, Visit

pytestmark = pytest.mark.django_db
KB = load_default()

# A drawing over the low back and buttock that gives at least six candidates.
WIDE = {
    "lumbar-upper-left": 7,
    "lumbar-lower-left": 6,
    "buttock-upper-left": 5,
    "buttock-lower-left": 4,
    "si-joint-left": 5,
    "sacrum": 3,
    "thigh-posterior-proximal-left": 3,
}


@pytest.fixture
def world() -> World:
    return build_world()


def _ctx(world: World) -> Context:
    return Context(user=world.alice, via="cli")


def _fresh_visit(world: World, drawing: dict[str, int] | None = None, **answers: Any) -> Visit:
    ctx = _ctx(world)
    intake = client_actions.record_intake(
        ctx,
        world.client,
        client_actions.IntakeData(
            complaint="Low back and buttock pain", pain_drawing=drawing or WIDE, **answers
        ),
    )
    return visit_actions.start_visit(ctx, world.client, intake)


def _plan_post(steps: list[PlanStep], remove: set[int] = frozenset()) -> dict[str, str]:  # type: ignore[assignment]
    data = {
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "50",
    }
    for i, s in enumerate(steps):
        for name in ("trigger_point", "side", "reason", "technique", "pressure"):
            data[f"steps-{i}-{name}"] = getattr(s, name)
        data[f"steps-{i}-hold_seconds"] = str(s.hold_seconds)
        data[f"steps-{i}-repetitions"] = str(s.repetitions)
        if i in remove:
            data[f"steps-{i}-DELETE"] = "on"
    return data


def _rows(visit: Visit) -> list[tuple[int, str, str]]:
    return list(visit.plan_steps.order_by("order").values_list("order", "trigger_point", "side"))


# ----------------------------------------------------------------------------- 1. the plan
def test_saving_an_edited_plan_replaces_it_instead_of_appending_a_copy(world: World) -> None:
    visit = _fresh_visit(world)
    plan = visit_actions.propose_plan(_ctx(world), visit)
    assert len(plan.steps) == 6
    proposed = list(visit.plan_steps.order_by("order"))
    web = world.web("alice")

    response = web.post(f"/visits/{visit.pk}/plan/save/", _plan_post(proposed, remove={0, 2, 4}))

    assert response.status_code == 302
    kept = [(s.trigger_point, s.side) for i, s in enumerate(proposed) if i not in {0, 2, 4}]
    assert _rows(visit) == [(n, tp, side) for n, (tp, side) in enumerate(kept, start=1)]
    page = web.get(f"/visits/{visit.pk}/plan/").content.decode()
    assert page.count('name="steps-TOTAL_FORMS" value="3"') == 1
    assert "Plan saved: 3 steps." in page

    # Saving the same three again changes nothing: still three rows, numbered 1-3.
    again = list(visit.plan_steps.order_by("order"))
    assert web.post(f"/visits/{visit.pk}/plan/save/", _plan_post(again)).status_code == 302
    assert _rows(visit) == [(n, tp, side) for n, (tp, side) in enumerate(kept, start=1)]

    # The removed steps stay removed, and none is doubled in the note's draft.
    draft = visit_actions.draft_note(_ctx(world), visit)
    for step in visit.plan_steps.all():
        core = step.to_core(KB)
        assert core is not None
        named = f"{step.side} {core.trigger_point_name[:1].lower()}{core.trigger_point_name[1:]}"
        assert draft.plan.count(named) == 1, (named, draft.plan)
    for i, step in enumerate(proposed):
        if i in {0, 2, 4}:
            assert not visit.plan_steps.filter(
                trigger_point=step.trigger_point, side=step.side
            ).exists()


def test_a_plan_with_several_bad_steps_names_each_step_and_saves_nothing(world: World) -> None:
    visit = _fresh_visit(world)
    visit_actions.propose_plan(_ctx(world), visit)
    steps = list(visit.plan_steps.order_by("order"))
    before = _rows(visit)
    data = _plan_post(steps)
    data["steps-0-hold_seconds"] = "45"  # ischemic compression is held 10-30 s
    data["steps-1-repetitions"] = "12"

    response = world.web("alice").post(f"/visits/{visit.pk}/plan/save/", data)

    assert response.status_code == 400
    assert _rows(visit) == before  # nothing half-saved
    page = response.content.decode()
    assert "2 problems" in page
    first, second = (PlanStep.objects.get(pk=s.pk) for s in steps[:2])
    assert f"Step 1 ({first.to_core(KB).trigger_point_name})" in page
    assert f"Step 2 ({second.to_core(KB).trigger_point_name})" in page
    assert "hold time for ischemic compression must be" in page and "repetitions of " in page
    assert 'value="45"' in page and 'value="12"' in page  # what was typed is kept


def test_the_api_saves_the_plan_in_place_of_the_old_one(world: World) -> None:
    visit = _fresh_visit(world)
    api = world.api("alice")
    proposed = api.post(f"/api/visits/{visit.pk}/plan/propose").json()["steps"]
    keep = [
        {k: s[k] for k in ("trigger_point", "side", "technique", "pressure", "hold_seconds")}
        for s in proposed[:2]
    ]
    for _ in range(2):
        response = api.put(f"/api/visits/{visit.pk}/plan", {"steps": keep}, "application/json")
        assert response.status_code == 200
    shown = api.get(f"/api/visits/{visit.pk}").json()["plan"]
    assert [(s["order"], s["trigger_point"]) for s in shown] == [
        (1, keep[0]["trigger_point"]),
        (2, keep[1]["trigger_point"]),
    ]
    assert PlanStep.objects.filter(visit=visit).count() == 2


# ----------------------------------------------------------------------------- 2. drafts
def _open_amendment(world: World) -> NoteVersion:
    return visit_actions.amend_note(
        _ctx(world), world.signed_visit, "Adding the home program given at the door."
    )


def test_a_client_never_reads_an_unsigned_amendment_through_the_api(world: World) -> None:
    amendment = _open_amendment(world)
    amendment.subjective = "UNSIGNED AMENDMENT TEXT"
    amendment.save()

    note = world.api("dan").get(f"/api/visits/{world.signed_visit.pk}/note").json()

    assert note["current"]["number"] == 1 and note["current"]["signed"] is True
    assert [v["number"] for v in note["history"]] == [1]
    assert "UNSIGNED AMENDMENT TEXT" not in str(note)
    # The web page says the same.
    page = world.web("dan").get(f"/visits/{world.signed_visit.pk}/note/").content.decode()
    assert "UNSIGNED AMENDMENT TEXT" not in page and "Version 1" in page
    # Staff read the amendment on both.
    staff = world.api("alice").get(f"/api/visits/{world.signed_visit.pk}/note").json()
    assert staff["current"]["number"] == 2 and not staff["current"]["signed"]


def test_a_client_reads_no_draft_at_all_through_the_api(world: World) -> None:
    note = world.api("dan").get(f"/api/visits/{world.visit.pk}/note").json()
    assert note == {"current": None, "history": []}
    assert world.api("alice").get(f"/api/visits/{world.visit.pk}/note").json()["current"]


def test_readable_by_is_the_one_rule_for_every_surface(world: World) -> None:
    _open_amendment(world)
    versions = NoteVersion.objects.filter(note__visit=world.signed_visit)
    assert versions.readable_by(world.dan).count() == 1
    assert versions.readable_by(world.erin).count() == 0
    assert versions.readable_by(world.bob).count() == 0
    assert versions.readable_by(world.alice).count() == 2


# ----------------------------------------------------------------------------- 3. the gate answer
def test_the_apis_gate_answer_agrees_with_starting_a_visit(world: World) -> None:
    ctx = _ctx(world)
    client_actions.record_intake(
        ctx,
        world.client,
        client_actions.IntakeData(
            complaint="Numb between the legs since yesterday",
            red_flag_answers={"cauda-equina-saddle": True},
        ),
    )
    gate = world.api("alice").get(f"/api/intakes/{world.intake.pk}").json()["gate"]
    assert gate["state"] == "clear" and gate["allows_planning"] is False
    assert "has a red flag that is not resolved" in gate["why_not"]
    response = world.api("alice").post(f"/api/intakes/{world.intake.pk}/visits")
    assert response.status_code == 409 and response.json()["detail"] == gate["why_not"]
    page = world.web("alice").get(f"/clients/intakes/{world.intake.pk}/").content.decode()
    assert "Start a visit from this intake" not in page


def test_the_gate_answer_counts_a_doctors_clearance_everywhere(world: World) -> None:
    """An ask-doctor condition: a visit may start (to examine), a plan may not, and the
    intake's API answer, the visit's API answer and the actions say so alike."""
    api = world.api("alice")
    gate = api.get(f"/api/intakes/{world.ask_intake.pk}").json()["gate"]
    assert gate["allows_visit"] is True and gate["allows_planning"] is False
    assert "doctor's clearance" in gate["why_not"]
    visit = api.post(f"/api/intakes/{world.ask_intake.pk}/visits").json()
    shown = api.get(f"/api/visits/{visit['id']}").json()
    assert shown["allows_planning"] is False and shown["why_not"] == gate["why_not"]
    refused = api.post(f"/api/visits/{visit['id']}/plan/propose")
    assert refused.status_code == 409 and refused.json()["detail"] == gate["why_not"]


# ----------------------------------------------------------------------------- 4. red flags
def _red_intake(world: World, flag: str) -> Intake:
    return client_actions.record_intake(
        _ctx(world),
        world.client,
        client_actions.IntakeData(
            complaint="Back pain", pain_drawing=LOW_BACK, red_flag_answers={flag: True}
        ),
    )


def test_an_emergency_flag_stays_blocking_after_the_referral_until_a_clearance(
    world: World,
) -> None:
    intake = _red_intake(world, "cauda-equina-bladder")
    web = world.web("alice")
    assert (
        web.post(
            f"/clients/intakes/{intake.pk}/referral/", {"note": "Advised A&E now, by phone."}
        ).status_code
        == 302
    )

    intake.refresh_from_db()
    assert intake.gate == Intake.Gate.AWAITING and intake.gate_note == "Advised A&E now, by phone."
    page = web.get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert "Start a visit from this intake" not in page
    assert "Record the medical clearance" in page and "Advised A&amp;E now" in page
    with pytest.raises(GateClosed, match="medical clearance"):
        visit_actions.start_visit(_ctx(world), world.client, intake)

    # A clearance that does not say who cleared is refused, whole.
    refused = web.post(
        f"/clients/intakes/{intake.pk}/red-flag-clearance/",
        {"cleared_by": "", "cleared_on": dt.date.today().isoformat(), "said": "fine"},
    )
    assert refused.status_code == 400
    intake.refresh_from_db()
    assert intake.gate == Intake.Gate.AWAITING and intake.flag_clearance_on is None

    cleared = web.post(
        f"/clients/intakes/{intake.pk}/red-flag-clearance/",
        {
            "cleared_by": "Dr Patel, St Mary's emergency department",
            "cleared_on": dt.date.today().isoformat(),
            "said": "MRI normal, no cauda equina compression; massage is fine.",
        },
    )
    assert cleared.status_code == 302
    intake.refresh_from_db()
    assert intake.gate == Intake.Gate.CLEARED
    assert intake.flag_clearance_from == "Dr Patel, St Mary's emergency department"
    assert AuditEvent.objects.filter(
        object_id=str(intake.pk), action=AuditEvent.Action.CLEARANCE
    ).exists()
    page = web.get(f"/clients/intakes/{intake.pk}/").content.decode()
    assert "Start a visit from this intake" in page and "Dr Patel" in page
    visit = visit_actions.start_visit(_ctx(world), world.client, intake)
    assert visit_actions.propose_plan(_ctx(world), visit).steps


def test_a_routine_flag_may_proceed_once_referred_and_stays_visible(world: World) -> None:
    intake = _red_intake(world, "inflammatory-back-pain")
    client_actions.record_referral(_ctx(world), intake, "Letter to her GP for a routine check.")
    intake.refresh_from_db()
    assert intake.gate == Intake.Gate.REFERRED
    visit = visit_actions.start_visit(_ctx(world), world.client, intake)
    visit_actions.propose_plan(_ctx(world), visit)
    page = world.web("alice").get(f"/visits/{visit.pk}/plan/").content.decode()
    assert "Red flag" in page and "inflammatory" in page.lower()
    draft = visit_actions.draft_note(_ctx(world), visit)
    assert "Red flags on record" in draft.plan or "red flags present" in draft.assessment.lower()


# ----------------------------------------------------------------------------- 5. clearance
def test_a_doctors_clearance_lifts_the_wait_but_not_the_conditions_rules(world: World) -> None:
    ctx = _ctx(world)
    belly_and_back = {"abdomen-lower-left": 6, "abdomen-upper-left": 5, "lumbar-lower-left": 5}
    visit = _fresh_visit(
        world, belly_and_back, contraindication_answers={"high-risk-pregnancy": True}
    )
    with pytest.raises(GateClosed, match="waits for the doctor's clearance"):
        visit_actions.propose_plan(ctx, visit)
    client_actions.record_clearance(ctx, visit.intake, "Midwife Ms Okafor agreed by phone today.")
    visit = Visit.objects.get(pk=visit.pk)

    visit_actions.propose_plan(ctx, visit)

    belly = [
        s
        for s in visit.plan_steps.all()
        if s.trigger_point.startswith(("rectus-abdominis", "external-oblique", "internal-oblique"))
    ]
    assert belly, "the drawing gives abdominal points to plan"
    assert not [s for s in belly if s.technique == "ischemic-compression"]
    assert {s.pressure for s in belly} == {"light"}
    # The positioning advice holds for the back too, as a plain modification.
    back = [s for s in visit.plan_steps.all() if s.trigger_point.startswith("iliocostalis")]
    assert back and any("not flat on the back" in m for m in back[0].modifications)
    assert not any(m.startswith("Near the affected area") for m in back[0].modifications)
    deep = {
        "trigger_point": "rectus-abdominis-lateral-lower",
        "side": "left",
        "technique": "soft-tissue-release",
        "pressure": "deep",
        "hold_seconds": 0,
    }
    with pytest.raises(Invalid, match="at most light pressure here"):
        visit_actions.save_plan(ctx, visit, [visit_actions.StepData(**deep)])
    # An edit that puts it back is refused, naming the step.
    step = {
        "trigger_point": "rectus-abdominis-lateral-lower",
        "side": "left",
        "technique": "ischemic-compression",
        "pressure": "moderate",
        "hold_seconds": 20,
    }
    with pytest.raises(Invalid, match=r"step 1 .*ruled out"):
        visit_actions.save_plan(ctx, visit, [visit_actions.StepData(**step)])


# ----------------------------------------------------------------------------- 6. signed
def test_a_signed_visit_is_read_only_until_an_amendment_records_what_changed(
    world: World,
) -> None:
    visit = world.signed_visit
    before = list(PalpationFinding.objects.filter(visit=visit).values())
    web, api = world.web("alice"), world.api("alice")
    palpation = {"trigger_point": "quadratus-lumborum-deep-cranial", "side": "left", "tender": 4}

    refused = api.post(f"/api/visits/{visit.pk}/palpation", palpation, "application/json")
    assert refused.status_code == 409 and "read-only" in refused.json()["detail"]
    assert web.post(f"/visits/{visit.pk}/palpation/", palpation).status_code == 400
    assert web.post(f"/visits/{visit.pk}/plan/propose/").status_code == 409
    assert list(PalpationFinding.objects.filter(visit=visit).values()) == before
    page = web.get(f"/visits/{visit.pk}/").content.decode()
    assert "read-only" in page
    # Nothing on the signed pages invites an edit that would be refused.
    assert 'class="palpation-form"' not in page and "movement-form" not in page
    plan = web.get(f"/visits/{visit.pk}/plan/").content.decode()
    assert "<select" not in plan and "Save plan" not in plan and "Propose again" not in plan

    amendment = _open_amendment(world)
    ok = api.post(f"/api/visits/{visit.pk}/palpation", palpation, "application/json")
    assert ok.status_code == 200
    amendment.refresh_from_db()
    assert amendment.changes == [
        "Palpation of Quadratus lumborum, deep cranial (left): not examined → tender 4/10"
    ]
    page = web.get(f"/visits/{visit.pk}/note/").content.decode()
    assert "Changed in the record since this amendment started" in page


def test_a_signed_visit_cannot_change_through_the_actions_either(world: World) -> None:
    with pytest.raises(Locked):
        visit_actions.record_movement(
            _ctx(world), world.signed_visit, "prone-hip-extension", "right", "negative"
        )
    with pytest.raises(Locked):
        visit_actions.save_plan(_ctx(world), world.signed_visit, [])


# ----------------------------------------------------------------------------- 7. corrections
def test_a_double_click_on_start_a_visit_starts_one_visit(world: World) -> None:
    web = world.web("alice")
    before = Visit.objects.count()
    first = web.post(f"/visits/start/{world.intake.pk}/", {"start_key": "k-123"})
    second = web.post(f"/visits/start/{world.intake.pk}/", {"start_key": "k-123"})
    assert Visit.objects.count() == before + 1
    assert first["Location"] == second["Location"]
    # Another clinic's therapist with the same key starts his own visit, told nothing.
    hilltop = client_actions.create_client(
        Context(user=world.bob),
        client_actions.ClientData("Hugo", "Hill", dt.date(1970, 1, 1), "", "", True, True),
    )
    his_intake = client_actions.record_intake(
        Context(user=world.bob), hilltop, client_actions.IntakeData(complaint="Neck ache")
    )
    response = world.api("bob").post(
        f"/api/intakes/{his_intake.pk}/visits", headers={"Idempotency-Key": "k-123"}
    )
    assert response.status_code == 201 and response.json()["client_id"] == hilltop.pk
    # Each page load gives a new key, so a second visit on purpose still works.
    page = web.get(f"/clients/intakes/{world.intake.pk}/").content.decode()
    assert 'name="start_key" value="' in page


def test_an_empty_visit_can_be_deleted_and_a_recorded_one_cannot(world: World) -> None:
    web = world.web("alice")
    page = web.get(f"/visits/{world.empty_visit.pk}/").content.decode()
    assert "Delete this empty visit" in page
    response = web.post(f"/visits/{world.empty_visit.pk}/delete/")
    assert response.status_code == 302
    assert not Visit.objects.filter(pk=world.empty_visit.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert event.object_id == str(world.empty_visit.pk) and event.client_id == world.client.pk
    page = web.get(f"/clients/{world.client.pk}/").content.decode()
    assert f"/visits/{world.empty_visit.pk}/" not in page
    assert f"/visits/{world.visit.pk}/" in page

    refused = web.post(f"/visits/{world.visit.pk}/delete/")
    assert refused.status_code == 302 and Visit.objects.filter(pk=world.visit.pk).exists()
    assert "only an empty visit can be deleted" in web.get(refused["Location"]).content.decode()
    page = web.get(f"/visits/{world.visit.pk}/").content.decode()
    assert "Delete this empty visit" not in page


# ----------------------------------------------------------------------------- 9. the editor
def test_the_note_editor_asks_before_losing_work_and_says_when_it_saved(world: World) -> None:
    web = world.web("alice")
    page = web.get(f"/visits/{world.visit.pk}/note/").content.decode()
    assert "data-warn-unsaved" in page
    assert 'data-confirm="Replace the text of this draft' in page
    assert 'data-confirm="Sign and lock version 1?' in page
    assert "myomap/js/forms.js" in page
    body = {
        "revision": world.revision(),
        "subjective": "Typed by hand.",
        "objective": "",
        "assessment": "",
        "plan": "",
        "save": "",
    }
    response = web.post(f"/visits/{world.visit.pk}/note/save/", body, follow=True)
    assert "Draft saved at" in response.content.decode()
    assert visit_queries.latest_version(world.visit).subjective == "Typed by hand."


# ----------------------------------------------------------------------------- time
def test_every_row_of_a_web_request_carries_the_requests_time(world: World) -> None:
    """The request's moment flows into the action context (`ctx.now`): the rows and the
    audit events of one request share one time, and a fixed clock fixes them all."""
    import time_machine

    at = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)
    with time_machine.travel(at, tick=False):
        response = world.web("alice").post(
            f"/visits/start/{world.intake.pk}/", {"start_key": "clock-test"}
        )
    visit = Visit.objects.get(start_key="clock-test")
    assert response.status_code == 302 and visit.started_at == at
    event = AuditEvent.objects.get(object_type="Visit", object_id=str(visit.pk))
    assert event.at == at


def test_a_refused_palpation_names_its_point_and_keeps_what_was_typed(world: World) -> None:
    top = world.api("alice").get(f"/api/visits/{world.visit.pk}").json()["candidates"][0]
    before = list(PalpationFinding.objects.filter(visit=world.visit).values())
    response = world.web("alice").post(
        f"/visits/{world.visit.pk}/palpation/",
        {"trigger_point": top["trigger_point"], "side": top["side"], "tender": "14", "ppt": "3.5"},
    )
    assert response.status_code == 400
    assert list(PalpationFinding.objects.filter(visit=world.visit).values()) == before
    page = response.content.decode()
    assert f'Not saved: <a href="#{top["trigger_point"]}-{top["side"]}">' in page
    assert top["trigger_point_name"] in page
    assert 'value="14"' in page and 'value="3.5"' in page


def test_a_scale_question_offers_its_own_words(world: World) -> None:
    page = world.web("alice").get(f"/clients/{world.client.pk}/intake/new/").content.decode()
    assert ">3 a great deal<" in page and ">3 very poorly<" in page
    assert "(0 none, 1 a little" not in page


def test_a_note_whose_record_changed_since_its_text_is_not_signed_unseen(world: World) -> None:
    world.no_session()  # a note is not signed while its guided session runs
    api, web = world.api("alice"), world.web("alice")
    palpation = {"trigger_point": "quadratus-lumborum-deep-cranial", "side": "left", "tender": 2}
    assert api.post(f"/api/visits/{world.visit.pk}/palpation", palpation, "application/json")
    version = visit_queries.latest_version(world.visit)
    assert version is not None and version.record_changed

    refused = api.post(
        f"/api/visits/{world.visit.pk}/note/sign",
        {"revision": version.revision},
        "application/json",
    )
    assert refused.status_code == 409 and "record changed" in refused.json()["detail"]
    assert visit_queries.latest_version(world.visit).signed_at is None
    page = web.get(f"/visits/{world.visit.pk}/note/").content.decode()
    assert "The visit's record changed after this text was written" in page
    assert "data-confirm=\"The visit's record changed after this text was written" in page

    redrafted = visit_actions.draft_note(_ctx(world), world.visit, revision=version.revision)
    assert not redrafted.record_changed and "tender 2/10" in redrafted.objective
    signed = api.post(
        f"/api/visits/{world.visit.pk}/note/sign",
        {"revision": redrafted.revision},
        "application/json",
    )
    assert signed.status_code == 200 and signed.json()["signed"] is True


def test_every_problem_of_a_plan_shows_in_one_save(world: World) -> None:
    visit = _fresh_visit(world)
    visit_actions.propose_plan(_ctx(world), visit)
    steps = list(visit.plan_steps.order_by("order"))
    data = _plan_post(steps)
    data["steps-1-repetitions"] = "0"
    data["steps-3-hold_seconds"] = "9999"
    page = world.web("alice").post(f"/visits/{visit.pk}/plan/save/", data).content.decode()
    assert "2 problems" in page
    assert "Step 2 (" in page and "Step 4 (" in page


def test_sign_and_lock_on_a_page_opened_before_a_change_is_not_signed_unseen(
    world: World,
) -> None:
    world.no_session()  # a note is not signed while its guided session runs
    web = world.web("alice")
    opened = world.revision()  # the note page as it was opened
    palpation = {"trigger_point": "quadratus-lumborum-deep-cranial", "side": "left", "tender": 2}
    world.api("alice").post(
        f"/api/visits/{world.visit.pk}/palpation", palpation, "application/json"
    )
    body = {
        "revision": opened,
        "subjective": "Typed before the new finding.",
        "objective": "",
        "assessment": "",
        "plan": "",
        "sign": "",
    }
    response = web.post(f"/visits/{world.visit.pk}/note/save/", body)
    assert response.status_code == 409
    version = visit_queries.latest_version(world.visit)
    assert version is not None and version.signed_at is None
    page = response.content.decode()
    assert "the visit&#x27;s record changed since you opened this note" in page
    assert "Typed before the new finding." in page  # what was typed is kept
    # Saved again from the page that now shows the change, it signs.
    body["revision"] = version.revision
    assert web.post(f"/visits/{world.visit.pk}/note/save/", body).status_code == 302
    assert visit_queries.latest_version(world.visit).signed_at is not None


def test_a_test_that_implicates_no_muscle_is_recorded_and_moves_no_candidate(world: World) -> None:
    from myomap.core.referral import scorer

    unlinked = next(t for t in KB.exam_tests if t not in scorer().model.tests)
    api = world.api("alice")
    before = api.get(f"/api/visits/{world.visit.pk}").json()["candidates"]
    movement = {"test": unlinked, "side": "", "result": "negative", "note": "for the note"}
    assert api.post(f"/api/visits/{world.visit.pk}/movement", movement, "application/json")
    assert api.get(f"/api/visits/{world.visit.pk}").json()["candidates"] == before
    assert api.post(f"/api/visits/{world.visit.pk}/plan/propose").status_code == 200
