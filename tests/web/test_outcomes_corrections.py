"""Voiding and correcting a questionnaire response: a wrongly entered response is voided
with a reason (kept, audited, never deleted; left out of the plot, the change, the report
and what is done at a visit) or corrected (voided, and a new response in its place), by
the same actions on the web and in the API, which lists voided ones as voided.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside,
alice his therapist, dan himself, bob at Hilltop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.outcomes import actions, queries
from myomap.outcomes.models import QuestionnaireResponse, ScheduleRule
from myomap.records.errors import Conflict, Forbidden, Invalid

pytestmark = pytest.mark.django_db

RMDQ_14 = [1] * 14 + [0] * 10
RMDQ_8 = [1] * 8 + [0] * 16
WRONG_CLIENT = "Entered for the wrong client."


@pytest.fixture
def world() -> World:
    return build_world()


def _record(world: World, answers: list[int | None], instrument: str = "rmdq", **kw: object):  # type: ignore[no-untyped-def]
    data = actions.ResponseData(instrument, answers, **kw)  # type: ignore[arg-type]
    return actions.record_response(Context(user=world.alice), world.client, data)


def _page(world: World, persona: str = "alice") -> str:
    return world.web(persona).get(f"/clients/{world.client.pk}/").content.decode()


def _url(world: World, response: QuestionnaireResponse, what: str = "") -> str:
    return f"/clients/{world.client.pk}/outcomes/responses/{response.pk}/{what}"


# ----------------------------------------------------------------------------- the actions
def test_a_voided_response_is_kept_with_who_when_and_why_and_audited(world: World) -> None:
    baseline = _record(world, RMDQ_14)
    wrong = _record(world, RMDQ_8)
    first = last_event_id()

    actions.void_response(Context(user=world.alice), wrong, "  Entered for the wrong   client. ")

    stored = QuestionnaireResponse.objects.get(pk=wrong.pk)  # kept, not deleted
    assert stored.voided_by == world.alice and stored.voided_at is not None
    assert stored.void_reason == WRONG_CLIENT and stored.total == 8.0
    assert QuestionnaireResponse.objects.filter(pk=baseline.pk, voided_at=None).exists()
    [event] = new_events(first)
    assert (event.action, event.object_id, event.client_id) == (
        AuditEvent.Action.UPDATE,
        str(wrong.pk),
        world.client.pk,
    )
    assert event.summary.startswith("RMDQ 8 of ") and event.summary.endswith(
        f" voided: {WRONG_CLIENT}"
    )
    # left out of the series and its change; listed as voided
    [rmdq] = queries.series_for(world.alice, world.client)
    assert [p.score for p in rmdq.points] == [14.0] and rmdq.change is None
    assert [(v.response_id, v.reason) for v in rmdq.voided] == [(wrong.pk, WRONG_CLIENT)]


def test_a_void_needs_a_reason_and_happens_once(world: World) -> None:
    wrong = _record(world, RMDQ_8)
    ctx = Context(user=world.alice)
    with pytest.raises(Invalid) as short:
        actions.void_response(ctx, wrong, "oops")
    assert short.value.field == "reason" and "say why the response is voided" in short.value.message
    assert QuestionnaireResponse.objects.get().voided_at is None
    actions.void_response(ctx, wrong, WRONG_CLIENT)
    first = last_event_id()
    with pytest.raises(Conflict) as twice:
        actions.void_response(ctx, wrong, "Voided a second time.")
    assert "was voided already" in twice.value.message and WRONG_CLIENT in twice.value.message
    assert QuestionnaireResponse.objects.get().void_reason == WRONG_CLIENT
    assert new_events(first) == []


def test_only_the_clients_own_clinics_staff_may_void(world: World) -> None:
    wrong = _record(world, RMDQ_8)
    for persona in (world.bob, world.dan):
        with pytest.raises(Forbidden):
            actions.void_response(Context(user=persona), wrong, WRONG_CLIENT)
    assert QuestionnaireResponse.objects.get().voided_at is None


def test_a_correction_voids_the_response_and_keeps_the_new_one_in_its_place(
    world: World,
) -> None:
    wrong = _record(world, RMDQ_14, visit=world.visit)
    first = last_event_id()

    fixed = actions.correct_response(
        Context(user=world.alice),
        wrong,
        actions.ResponseData("rmdq", [1] * 12 + [0] * 12),
        "Two statements ticked by mistake.",
    )

    old = QuestionnaireResponse.objects.get(pk=wrong.pk)
    assert old.voided_at is not None and old.void_reason == "Two statements ticked by mistake."
    assert (fixed.total, fixed.replaces, fixed.visit) == (12.0, old, world.visit)
    assert fixed.taken_at == old.taken_at  # answered then: only the answers were wrong
    assert old.replaced_by == fixed
    assert [e.action for e in new_events(first)] == [
        AuditEvent.Action.UPDATE,
        AuditEvent.Action.CREATE,
    ]
    assert new_events(first)[1].summary.startswith("RMDQ 12 recorded, correcting RMDQ 14 of ")
    [rmdq] = queries.series_for(world.alice, world.client)
    assert [p.score for p in rmdq.points] == [12.0]


def test_a_refused_correction_changes_nothing(world: World) -> None:
    wrong = _record(world, RMDQ_14)
    first = last_event_id()
    ctx = Context(user=world.alice)
    with pytest.raises(Invalid) as bad:
        actions.correct_response(
            ctx, wrong, actions.ResponseData("rmdq", [1] * 13 + [2] + [0] * 10), WRONG_CLIENT
        )
    assert bad.value.field == "s14"
    with pytest.raises(Invalid) as other:
        actions.correct_response(ctx, wrong, actions.ResponseData("nprs", [5]), WRONG_CLIENT)
    assert other.value.field == "instrument"
    assert list(QuestionnaireResponse.objects.values_list("pk", "voided_at")) == [(wrong.pk, None)]
    assert new_events(first) == []


def test_a_voided_response_at_a_visit_is_not_done_there(world: World) -> None:
    ScheduleRule.objects.create(clinic=world.lakeside, instrument="rmdq", every_visit=True)
    taken = _record(world, RMDQ_14, visit=world.visit)
    [due] = queries.due_at(world.visit)
    assert due.done == taken
    actions.void_response(Context(user=world.alice), taken, WRONG_CLIENT)
    [due] = queries.due_at(world.visit)
    assert due.done is None


def test_the_clinic_report_leaves_voided_responses_out(world: World) -> None:
    _record(world, RMDQ_14)
    wrong = _record(world, RMDQ_8)
    [rmdq] = [r for r in queries.clinic_report(world.carol) if r.instrument.id == "rmdq"]
    assert (rmdq.clients, rmdq.improved) == (1, 1)
    actions.void_response(Context(user=world.alice), wrong, WRONG_CLIENT)
    [rmdq] = [r for r in queries.clinic_report(world.carol) if r.instrument.id == "rmdq"]
    assert (rmdq.clients, rmdq.improved) == (0, 0)


# ----------------------------------------------------------------------------- the web
def test_the_record_links_each_score_to_its_page_with_the_answers_and_the_forms(
    world: World,
) -> None:
    taken = _record(world, RMDQ_14)
    assert f'href="{_url(world, taken)}"' in _page(world)
    assert "Correct or void" not in _page(world, "dan")  # a client reads, never corrects
    first = last_event_id()

    html = world.web("alice").get(_url(world, taken)).content.decode()

    assert "Rol" in html and "RMDQ 14" in html
    rows = re.findall(r"<tr><td>(\d+)\. Statement \d+</td><td>([01—])</td></tr>", html)
    assert rows[:2] == [("1", "1"), ("2", "1")] and rows[-1] == ("24", "0")
    assert f'action="{_url(world, taken, "void/")}"' in html
    assert f'href="{_url(world, taken, "correct/")}"' in html
    assert [(e.action, e.summary) for e in new_events(first)] == [
        (AuditEvent.Action.VIEW, "questionnaire response")
    ]
    assert world.web("bob").get(_url(world, taken)).status_code == 404
    assert world.web("dan").get(_url(world, taken)).status_code == 403


def test_a_responses_page_says_how_many_were_answered_as_its_score_depends_on_it(
    world: World,
) -> None:
    odi = _record(world, [3, 2, 1, 2, 2, 1, 2, None, 2, 1], "odi")
    rmdq = _record(world, RMDQ_14)
    assert QuestionnaireResponse.objects.get(pk=odi.pk).total == 35.6

    odi_page = world.web("alice").get(_url(world, odi)).content.decode()
    rmdq_page = world.web("alice").get(_url(world, rmdq)).content.decode()

    # 16 points of 45, not of 50: the page says a section was left blank, and which
    assert "ODI 35.6 (moderate disability)" in odi_page
    assert "9 of 10 sections answered (unanswered: 8)." in odi_page
    assert "24 of 24 items answered." in rmdq_page


def test_voiding_on_the_web_keeps_it_listed_and_counts_it_nowhere(world: World) -> None:
    _record(world, RMDQ_14)
    wrong = _record(world, RMDQ_8, visit=world.visit)
    browser = world.web("alice")
    assert "RMDQ 14 → 8" in _page(world)

    answer = browser.post(_url(world, wrong, "void/"), {"reason": WRONG_CLIENT})

    assert answer.status_code == 302
    assert answer["Location"] == f"/clients/{world.client.pk}/#outcomes"
    stored = QuestionnaireResponse.objects.get(pk=wrong.pk)
    assert (stored.void_reason, stored.voided_by) == (WRONG_CLIENT, world.alice)
    page = browser.get(f"/clients/{world.client.pk}/").content.decode()
    assert "RMDQ 8 of " in page and "voided: it is kept" in page  # the message
    assert "draft note is marked as changed: redraft it from the record" in page
    assert "RMDQ 14 → 8" not in page and "the baseline; a second score shows the change" in page
    plot = re.search(r'<svg[^>]*class="outcome-plot".*?</svg>', page, re.S)
    assert plot is not None and plot.group().count('class="point"') == 1
    voided = re.search(r'class="outcome-voided">.*?</ul>', page, re.S)
    assert voided is not None and "voided on " in voided.group()
    assert "Entered for the wrong client</li>" in voided.group()
    # its own page says so, with no forms left
    html = browser.get(_url(world, wrong)).content.decode()
    assert "Voided on " in html and WRONG_CLIENT in html and "void/" not in html


def test_the_response_page_names_who_entered_and_voided_it_by_their_name(world: World) -> None:
    taken = _record(world, RMDQ_14)
    html = world.web("alice").get(_url(world, taken)).content.decode()
    assert "entered by Alice Moss on " in html and "entered by alice " not in html
    actions.void_response(Context(user=world.alice), taken, WRONG_CLIENT)
    html = world.web("alice").get(_url(world, taken)).content.decode()
    assert "by Alice Moss:</strong> Entered for the wrong client." in html
    # an account with no name set is named by its username
    world.alice.first_name = world.alice.last_name = ""
    world.alice.save(update_fields=["first_name", "last_name"])
    html = world.web("alice").get(_url(world, taken)).content.decode()
    assert "entered by alice on " in html and "by alice:</strong>" in html


def test_the_void_is_the_forms_one_filled_button_and_cancel_is_secondary(world: World) -> None:
    taken = _record(world, RMDQ_14)
    html = world.web("alice").get(_url(world, taken)).content.decode()
    form = re.search(r'<form[^>]*class="void-form".*?</form>', html, re.S)
    assert form is not None
    assert '<button type="submit" class="primary danger">Void this RMDQ</button>' in form.group()
    assert re.search(r'<a class="button secondary" href="[^"]+">Cancel</a>', form.group())
    assert "myomap/css/outcomes.css" in html  # where Cancel is drawn as a secondary button
    # the answers stay a table of two short columns on a phone (not a card per answer)
    assert '<table class="table outcome-table outcome-answers">' in html
    css = (Path(__file__).resolve().parents[2] / "src/myomap/outcomes/static/myomap/css").joinpath(
        "outcomes.css"
    )
    assert ".buttons a.button.secondary" in css.read_text()


def test_a_corrected_responses_reason_reads_as_one_sentence_on_the_record(world: World) -> None:
    _record(world, RMDQ_14)
    typo = _record(world, RMDQ_8)
    data = actions.ResponseData("rmdq", [1] * 6 + [0] * 18)
    actions.correct_response(Context(user=world.alice), typo, data, "Ticked two too many.")
    page = _page(world)
    assert "Ticked two too many (corrected: the correction is in the table)" in page
    assert "many. (corrected" not in page


def test_a_void_without_a_reason_is_refused_on_the_web_and_nothing_changes(
    world: World,
) -> None:
    wrong = _record(world, RMDQ_8)
    first = last_event_id()
    answer = world.web("alice").post(_url(world, wrong, "void/"), {"reason": "no"})
    assert answer.status_code == 400
    assert "say why the response is voided (at least 10 characters)" in answer.content.decode()
    assert QuestionnaireResponse.objects.get().voided_at is None
    assert new_events(first) == []


def test_correcting_on_the_web_starts_from_the_answers_entered(world: World) -> None:
    wrong = _record(world, RMDQ_14, visit=world.visit)
    browser = world.web("alice")

    form = browser.get(_url(world, wrong, "correct/")).content.decode()

    assert "Correcting RMDQ 14 of " in form
    assert len(re.findall(r'type="checkbox" name="s\d+" [^>]*checked', form)) == 14
    assert 'name="reason"' in form
    ticked = {f"s{n}": "on" for n in range(1, 13)}
    answer = browser.post(
        _url(world, wrong, "correct/"), ticked | {"reason": "Two ticked by mistake."}
    )

    assert answer.status_code == 302 and answer["Location"] == f"/visits/{world.visit.pk}/"
    old, new = QuestionnaireResponse.objects.order_by("pk")
    assert (old.pk, old.void_reason) == (wrong.pk, "Two ticked by mistake.")
    assert (new.total, new.replaces_id, new.visit) == (12.0, wrong.pk, world.visit)
    page = browser.get(f"/clients/{world.client.pk}/").content.decode()
    assert "RMDQ 12 on " in page and "(corrected: the correction is in the table)" in page
    refused = browser.post(_url(world, new, "correct/"), ticked | {"reason": "short"})
    assert refused.status_code == 400
    assert "say why the response is corrected" in refused.content.decode()
    assert QuestionnaireResponse.objects.count() == 2


def test_a_blank_reason_is_refused_saying_what_to_write_not_this_field_is_required(
    world: World,
) -> None:
    wrong = _record(world, RMDQ_14, visit=world.visit)
    browser = world.web("alice")
    first = last_event_id()
    ticked = {f"s{n}": "on" for n in range(1, 13)}

    corrected = browser.post(_url(world, wrong, "correct/"), ticked | {"reason": ""})
    voided = browser.post(_url(world, wrong, "void/"), {"reason": "  "})

    assert (corrected.status_code, voided.status_code) == (400, 400)
    assert (
        "say why the response is corrected (at least 10 characters)" in corrected.content.decode()
    )
    assert "say why the response is voided (at least 10 characters)" in voided.content.decode()
    for answer in (corrected, voided):
        assert "This field is required" not in answer.content.decode()
    assert [(r.pk, r.voided_at) for r in QuestionnaireResponse.objects.all()] == [(wrong.pk, None)]
    assert new_events(first) == []


# ----------------------------------------------------------------------------- the API
def test_the_api_voids_and_corrects_through_the_same_actions(world: World) -> None:
    wrong = _record(world, RMDQ_14)
    base = f"/api/clients/{world.client.pk}/outcomes"
    api = world.api("alice")

    voided = api.post(f"{base}/{wrong.pk}/void", {"reason": WRONG_CLIENT}, "application/json")

    assert voided.status_code == 200, voided.content
    body = voided.json()
    assert (body["voided"], body["void_reason"], body["score"]) == (True, WRONG_CLIENT, 14)
    again = api.post(f"{base}/{wrong.pk}/void", {"reason": WRONG_CLIENT}, "application/json")
    assert again.status_code == 409 and again.json()["field"] == "reason"

    other = _record(world, RMDQ_14)
    fixed = api.post(
        f"{base}/{other.pk}/correct",
        {"instrument": "rmdq", "answers": RMDQ_8, "reason": "Ticked the wrong form."},
        "application/json",
    )
    assert fixed.status_code == 201, fixed.content
    assert (fixed.json()["score"], fixed.json()["replaces_id"]) == (8, other.pk)

    listed = api.get(base).json()
    assert [(r["score"], r["voided"]) for r in listed["responses"]] == [
        (14, True),
        (14, True),
        (8, False),
    ]
    assert listed["responses"][1]["replaced_by_id"] == fixed.json()["id"]
    assert listed["changes"] == []  # one score in use: no change
    # a client reading their own never sees a voided one (it may hold another's answers)
    own = world.api("dan").get(base).json()
    assert [(r["score"], r["voided"]) for r in own["responses"]] == [(8, False)]


def test_a_client_never_sees_a_voided_response_on_their_record(world: World) -> None:
    _record(world, RMDQ_14)
    wrong = _record(world, [7], "nprs")
    actions.void_response(Context(user=world.alice), wrong, WRONG_CLIENT)
    page = _page(world, "dan")
    assert "RMDQ 14 on " in page
    assert 'id="outcome-nprs"' not in page  # only voided: nothing to show him
    assert WRONG_CLIENT not in page and "Voided (kept" not in page
    assert "Voided (kept, not counted)" in _page(world)  # the staff see it


def test_the_api_refuses_a_client_another_clinic_and_a_bad_reason(world: World) -> None:
    wrong = _record(world, RMDQ_14)
    url = f"/api/clients/{world.client.pk}/outcomes/{wrong.pk}/void"
    body = {"reason": WRONG_CLIENT}
    assert world.api("dan").post(url, body, "application/json").status_code == 403
    assert world.api("bob").post(url, body, "application/json").status_code == 404
    short = world.api("alice").post(url, {"reason": "x"}, "application/json")
    assert short.status_code == 400 and short.json()["field"] == "reason"
    stray = world.api("alice").post(url, body | {"deleted": True}, "application/json")
    assert stray.status_code == 422
    gail = world.red_intake.client
    elsewhere = f"/api/clients/{gail.pk}/outcomes/{wrong.pk}/void"
    assert world.api("alice").post(elsewhere, body, "application/json").status_code == 404
    assert QuestionnaireResponse.objects.get().voided_at is None


def test_a_response_under_another_clients_address_is_not_found_on_the_web(world: World) -> None:
    wrong = _record(world, RMDQ_14)
    elsewhere = f"/clients/{world.red_intake.client.pk}/outcomes/responses/{wrong.pk}/"
    browser = world.web("alice")
    assert browser.get(elsewhere).status_code == 404
    assert browser.get(elsewhere + "correct/").status_code == 404
    assert browser.post(elsewhere + "void/", {"reason": WRONG_CLIENT}).status_code == 404
    assert QuestionnaireResponse.objects.get().voided_at is None


# ----------------------------------------------------------------------------- exports
def test_a_voided_response_is_exported_as_entered_in_error_and_comes_back_voided(
    world: World, tmp_path: Path
) -> None:
    import csv
    import json

    from django.utils import timezone

    from myomap.interop import csv_export, fhir_export, gather
    from myomap.interop.fhir_import import import_bundle

    _record(world, [4], "nprs")
    wrong = _record(world, [9], "nprs")
    actions.void_response(Context(user=world.alice), wrong, WRONG_CLIENT)
    clients = list(gather.every(world.alice, world.client.pk))

    bundle = json.loads(fhir_export.collection(clients, timezone.now()).model_dump_json())
    kinds = [e["resource"] for e in bundle["entry"]]
    responses = [r for r in kinds if r["resourceType"] == "QuestionnaireResponse"]
    assert [r["status"] for r in responses] == ["completed", "entered-in-error"]
    assert responses[1]["extension"][0]["valueString"] == WRONG_CLIENT
    scores = [r for r in kinds if r["resourceType"] == "Observation" and "derivedFrom" in r]
    assert sorted(r["status"] for r in scores) == ["entered-in-error", "final"]
    csv_export.write_folder(tmp_path, clients)
    rows = list(csv.DictReader((tmp_path / "outcomes.csv").open(encoding="utf-8")))
    assert [(r["score"], r["void_reason"]) for r in rows] == [("4.0", ""), ("9.0", WRONG_CLIENT)]

    report = import_bundle(world.bob, json.dumps(bundle), now=timezone.now(), dry_run=False)
    assert report.ok, report.lines()
    imported = QuestionnaireResponse.objects.filter(client__clinic=world.bob.clinic_id)
    assert [(r.total, r.void_reason) for r in imported.order_by("taken_at", "pk")] == [
        (4.0, ""),
        (9.0, f"Voided before the export: {WRONG_CLIENT}"),
    ]


def test_a_correction_sent_with_the_day_shown_keeps_the_responses_own_time(world: World) -> None:
    """The form shows the day the response was taken; sent back unchanged, the correction
    keeps the response's time (09:15 three days ago), not midday of that day."""
    import datetime as dt

    from django.utils import timezone

    taken = timezone.now().replace(hour=9, minute=15, second=0, microsecond=0) - dt.timedelta(
        days=3
    )
    wrong = _record(world, RMDQ_14, taken_at=taken)
    day = timezone.localdate(wrong.taken_at).isoformat()
    form = world.web("alice").get(_url(world, wrong, "correct/")).content.decode()
    assert f'value="{day}"' in form  # an ISO date, which a date input shows
    ticked = {f"s{n}": "on" for n in range(1, 13)}
    answer = world.web("alice").post(
        _url(world, wrong, "correct/"),
        ticked | {"reason": "Two ticked by mistake.", "taken_on": day},
    )
    assert answer.status_code == 302, answer.content[:300]
    new = QuestionnaireResponse.objects.get(replaces=wrong)
    assert new.taken_at == wrong.taken_at and new.total == 12.0


def test_a_correction_moved_to_today_is_taken_today_not_on_its_old_day(world: World) -> None:
    """A paper form entered three days ago with the wrong day: its correction dated today
    is taken today (it kept the old day when today was sent), and the record says so."""
    import datetime as dt

    from django.utils import timezone

    wrong = _record(world, RMDQ_14, taken_at=timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()
    answer = world.web("alice").post(
        _url(world, wrong, "correct/"),
        {f"s{n}": "on" for n in range(1, 15)}
        | {"reason": "Dated the wrong day.", "taken_on": today.isoformat()},
    )
    assert answer.status_code == 302, answer.content[:300]
    new = QuestionnaireResponse.objects.get(replaces=wrong)
    assert timezone.localdate(new.taken_at) == today and new.taken_at <= timezone.now()
    page = _page(world)
    assert f"{today.day} {today:%b %Y}" in page.split('class="table outcome-table"')[1]


def test_a_response_at_a_visit_is_voided_even_with_no_consent_on_record(world: World) -> None:
    """Taking an error out of the record does not wait for consent: with the client's
    data consent cleared, a response taken at a visit is still voided (new answers are
    not recorded, as before)."""
    from myomap.clients.models import Client

    wrong = _record(world, RMDQ_8, visit=world.visit)
    Client.objects.filter(pk=world.client.pk).update(data_consent_at=None)
    actions.void_response(Context(user=world.alice), wrong, WRONG_CLIENT)
    assert QuestionnaireResponse.objects.get(pk=wrong.pk).void_reason == WRONG_CLIENT
    with pytest.raises(Invalid, match="consent"):
        _record(world, RMDQ_14, visit=world.visit)
