"""The client answers the questionnaires due in their portal: the card on /me/ lists what
the clinic's schedule asks at their latest visit, in wording the client can read (the
NPRS ships its own; the ODI only once the clinic loads its licensed text); the page
stores the answers through the same action as the therapist's entry, the client as its
author; a bad answer is refused beside its item, nothing saved; the therapist sees the
response on the record, marked as the client's; nobody answers for another.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside
(dan is his login), erin another Lakeside client with her own login, alice his
therapist, carol the clinic admin, bob at Hilltop."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.core.kb import load_default
from myomap.outcomes import actions
from myomap.outcomes.models import QuestionnaireResponse

pytestmark = pytest.mark.django_db

NPRS_PAGE = "/me/questionnaires/nprs/"


@pytest.fixture
def world() -> World:
    built = build_world()
    # the clinic asks for the NPRS, the RMDQ and the ODI at every visit, the PEG at discharge
    every = actions.ScheduleData(every_visit=True)
    actions.save_schedule(
        Context(user=built.carol),
        {
            "nprs": every,
            "rmdq": every,
            "odi": every,
            "peg": actions.ScheduleData(at_discharge=True),
        },
    )
    return built


def card(html: str) -> str:
    """The Questionnaires card of /me/ ('' when there is none)."""
    start = html.find('id="questionnaires"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def test_the_card_lists_what_is_due_in_words_the_client_can_read(world: World) -> None:
    page = world.web("dan").get("/me/")
    assert page.status_code == 200
    shown = card(page.content.decode())
    assert "Numeric Pain Rating Scale (NPRS)" in shown
    assert f'href="{NPRS_PAGE}"' in shown
    # no wording the client could read: entered by the therapist from the paper form
    assert "RMDQ" not in shown and "ODI" not in shown
    # asked only at discharge: the therapist's to ask
    assert "PEG" not in shown
    assert world.web("dan").get("/me/questionnaires/odi/").status_code == 404
    assert world.web("dan").get("/me/questionnaires/peg/").status_code == 404


def test_the_nprs_page_is_one_column_of_answers_to_tap(world: World) -> None:
    html = world.web("dan").get(NPRS_PAGE).content.decode()
    assert "<h1>Numeric Pain Rating Scale</h1>" in html
    assert html.count('type="radio" name="pain"') == 11
    assert "0 (no pain)" in html and "10 (worst imaginable pain)" in html
    assert 'name="taken_on"' not in html and 'name="visit"' not in html
    assert "Save my answers" in html


def test_answering_the_nprs_stores_it_as_the_clients_and_the_card_updates(world: World) -> None:
    browser = world.web("dan")
    first = last_event_id()
    answer = browser.post(NPRS_PAGE, {"pain": "6"})
    assert answer.status_code == 302 and answer["Location"] == "/me/#questionnaires"

    stored = QuestionnaireResponse.objects.get()
    assert (stored.client, stored.instrument, stored.answers, stored.total) == (
        world.client,
        "nprs",
        [6],
        6.0,
    )
    assert (stored.entered_by, stored.visit, stored.via) == (world.dan, None, "portal")
    events = new_events(first)
    assert [(e.action, e.object_type, e.actor_id, e.client_id, e.summary) for e in events] == [
        (
            AuditEvent.Action.CREATE,
            "QuestionnaireResponse",
            world.dan.pk,
            world.client.pk,
            "NPRS 6 recorded",
        )
    ]

    page = browser.get("/me/").content.decode()
    assert "Thank you: your NPRS is recorded." in page
    assert "NPRS" not in card(page)
    assert browser.get(NPRS_PAGE).status_code == 404  # answered: no longer asked now


def test_the_therapist_sees_the_clients_answer_on_the_record(world: World) -> None:
    world.web("dan").post(NPRS_PAGE, {"pain": "6"})
    stored = QuestionnaireResponse.objects.get()
    record = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "NPRS 6 on " in record
    assert "<td>entered by the client</td>" in record
    one = world.web("alice").get(f"/clients/{world.client.pk}/outcomes/responses/{stored.pk}/")
    said = "by the client in their portal; entered by Dan Marlowe (the client)"
    assert said in one.content.decode()
    # the visit page counts it done today, as any response entered on the record
    visit = world.web("alice").get(f"/visits/{world.visit.pk}/").content.decode()
    assert "NPRS 6" in visit


def test_the_client_sees_no_staff_links_on_their_record(world: World) -> None:
    world.web("dan").post(NPRS_PAGE, {"pain": "6"})
    page = world.web("dan").get(f"/clients/{world.client.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<td>entered by the client</td>" in html
    assert "Correct or void" not in html and "Enter a questionnaire" not in html
    stored = QuestionnaireResponse.objects.get()
    own = world.web("dan").get(f"/clients/{world.client.pk}/outcomes/responses/{stored.pk}/")
    assert own.status_code in (403, 404)  # the response's page is the staff's


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "NPRS item 1 (Pain intensity): an answer is required"),
        ({"pain": "11"}, "NPRS item 1 (Pain intensity): 11 is not an answer (it takes 0 to 10)"),
        ({"pain": "lots"}, "NPRS item 1 (Pain intensity): lots is not an answer"),
    ],
)
def test_a_missing_or_out_of_range_answer_is_shown_beside_the_item(
    world: World, given: dict[str, str], message: str
) -> None:
    first = last_event_id()
    answer = world.web("dan").post(NPRS_PAGE, given)
    assert answer.status_code == 400
    html = answer.content.decode()
    item = html[html.index('id="item-pain"') : html.index("</fieldset>")]
    assert message in item and 'class="field-error"' in item
    assert "Not saved" in html
    assert QuestionnaireResponse.objects.count() == 0
    assert new_events(first) == []
    assert "NPRS" in card(world.web("dan").get("/me/").content.decode())


def test_the_odi_is_offered_once_the_clinic_loads_its_licensed_wording(world: World) -> None:
    odi = load_default().instruments["odi"]
    document = {
        "instrument": "odi",
        "licence": "Test licence 0001",
        "items": {
            item.id: {
                "text": f"Made-up section {item.number}",
                "answers": [f"made-up statement {item.number}.{n}" for n in range(6)],
            }
            for item in odi.items
        },
    }
    file = SimpleUploadedFile("odi.yaml", yaml.safe_dump(document).encode(), "text/yaml")
    loaded = world.web("carol").post(
        "/accounts/clinic/outcomes/wording/", {"instrument": "odi", "file": file}
    )
    assert loaded.status_code == 302
    shown = card(world.web("dan").get("/me/").content.decode())
    assert "Oswestry" in shown and 'href="/me/questionnaires/odi/"' in shown
    html = world.web("dan").get("/me/questionnaires/odi/").content.decode()
    assert "1. Made-up section 1" in html and "5: made-up statement 3.5" in html
    assert "Test licence 0001" in html
    answer = world.web("dan").post("/me/questionnaires/odi/", {item.id: "2" for item in odi.items})
    assert answer.status_code == 302
    stored = QuestionnaireResponse.objects.get()
    assert (stored.instrument, stored.total, stored.entered_by) == ("odi", 40.0, world.dan)


def test_erin_cannot_answer_for_dan_nor_staff_or_strangers(world: World) -> None:
    # erin's own portal is hers: the URL names no client, so there is no one else's to reach
    erin = world.web("erin")
    assert erin.get(f"/clients/{world.client.pk}/outcomes/nprs/").status_code in (403, 404)
    assert erin.post(f"/clients/{world.client.pk}/outcomes/nprs/", {"pain": "3"}).status_code in (
        403,
        404,
    )
    # the action itself refuses her writing on Dan's record
    with pytest.raises(actions.Forbidden):
        actions.record_response(
            Context(user=world.erin), world.client, actions.ResponseData("nprs", [3])
        )
    # dan may not date his answer or tie it to a visit
    with pytest.raises(actions.Forbidden):
        actions.record_response(
            Context(user=world.dan),
            world.client,
            actions.ResponseData("nprs", [3], visit=world.visit),
        )
    # staff have no questionnaire page of their own; anonymous must sign in
    assert world.web("alice").get(NPRS_PAGE).status_code == 403
    assert world.web("bob").get(NPRS_PAGE).status_code == 403
    anonymous = world.web("anonymous").get(NPRS_PAGE)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert world.web("anonymous").post(NPRS_PAGE, {"pain": "3"}).status_code == 302
    assert QuestionnaireResponse.objects.count() == 0


def test_without_consent_on_record_the_client_is_told_whom_to_ask(world: World) -> None:
    # Erin has no visit, so nothing is due for her; the action's rule is checked directly
    with pytest.raises(actions.Invalid):
        actions.record_response(
            Context(user=world.erin), world.erin_client, actions.ResponseData("nprs", [3])
        )
    assert card(world.web("erin").get("/me/").content.decode()) == ""
    assert world.web("erin").get(NPRS_PAGE).status_code == 404
    assert QuestionnaireResponse.objects.count() == 0


def test_a_consent_missing_from_the_record_is_said_in_the_clients_words(world: World) -> None:
    Client.objects.filter(pk=world.client.pk).update(data_consent_at=None)
    answer = world.web("dan").post(NPRS_PAGE, {"pain": "4"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "your clinic has not recorded your consent" in html
    assert "Ask your therapist at your next visit." in html
    assert QuestionnaireResponse.objects.count() == 0


def test_a_portal_answer_on_the_visits_day_is_taken_at_it_on_the_page_and_in_the_note(
    world: World,
) -> None:
    from myomap.visits import actions as visit_actions
    from myomap.visits import queries as visit_queries

    world.web("dan").post(NPRS_PAGE, {"pain": "6"})
    stored = QuestionnaireResponse.objects.get()
    assert (stored.visit, stored.via, stored.total) == (None, "portal", 6.0)
    visit = world.web("alice").get(f"/visits/{world.visit.pk}/").content.decode()
    assert "done</span> NPRS 6" in visit
    assert "(answered by the client in the portal that day)" in visit
    assert "entered on the record that day" not in visit
    # the note draft lists the same response as taken at this visit
    world.no_session()
    draft = visit_queries.latest_version(world.visit)
    assert draft is not None
    version = visit_actions.draft_note(
        Context(user=world.alice), world.visit, revision=draft.revision
    )
    lines = version.objective.splitlines()
    at = lines.index("Outcome measures taken at this visit:")
    assert [line for line in lines[at + 1 :] if line.startswith("NPRS")] == [
        "NPRS 6 (0 to 10, higher is worse): the baseline of this episode of care "
        f"(since the intake of {_day(world.intake.recorded_at)})."
    ]


def _day(moment) -> str:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y}"
