"""Recording questionnaire responses: scored by the core before anything is stored, a bad
answer refused naming the item with nothing saved, the clinic checked, audited; and the
reads over them (the series, the change baseline to latest, the clinic's report).

The people are tests/personas.py's (`build_world`): Dan Marlowe is a Lakeside client with
three visits; alice is his therapist; bob works at Hilltop."""

from __future__ import annotations

import datetime as dt

import pytest
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.outcomes import actions, queries
from myomap.outcomes.models import QuestionnaireResponse
from myomap.records.errors import Forbidden, Invalid

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
RMDQ_14 = [1] * 14 + [0] * 10
RMDQ_8 = [1] * 8 + [0] * 16


@pytest.fixture
def world() -> World:
    return build_world()


def _record(world: World, answers: list[int | None], instrument: str = "rmdq", **kw: object):  # type: ignore[no-untyped-def]
    ctx = Context(user=world.alice, now=kw.pop("now", NOW))  # type: ignore[arg-type]
    data = actions.ResponseData(instrument, answers, **kw)  # type: ignore[arg-type]
    return actions.record_response(ctx, world.client, data)


def test_a_response_is_stored_with_its_score_and_audited(world: World) -> None:
    first = last_event_id()
    response = _record(world, RMDQ_14, visit=world.visit)

    stored = QuestionnaireResponse.objects.get()
    assert (stored.pk, stored.client, stored.visit) == (response.pk, world.client, world.visit)
    assert (stored.instrument, stored.total, stored.band) == ("rmdq", 14.0, "")
    assert stored.answers == RMDQ_14
    assert (stored.taken_at, stored.entered_at, stored.entered_by) == (NOW, NOW, world.alice)
    assert stored.via == "web"
    events = new_events(first)
    assert [(e.action, e.client_id, e.summary) for e in events] == [
        (AuditEvent.Action.CREATE, world.client.pk, "RMDQ 14 recorded")
    ]


def test_subscales_and_risk_groups_are_stored(world: World) -> None:
    _record(world, [0, 0, 0, 0, 1, 1, 1, 0, 4], "startback")
    stored = QuestionnaireResponse.objects.get()
    assert (stored.total, stored.band, stored.subscales) == (4.0, "high", {"psychosocial": 4.0})


def test_an_odi_with_a_blank_section_is_scored_as_published(world: World) -> None:
    _record(world, [3, 2, 1, 2, 2, 1, 2, None, 2, 1], "odi")
    stored = QuestionnaireResponse.objects.get()
    assert (stored.total, stored.band) == (35.6, "moderate disability")
    assert stored.answers[7] is None


def test_psfs_keeps_the_clients_activities(world: World) -> None:
    _record(world, [3, 5, 4], "psfs", activities=["Gardening", "Lifting my son", "Running"])
    stored = QuestionnaireResponse.objects.get()
    assert stored.total == 4.0
    assert stored.activities == ["Gardening", "Lifting my son", "Running", "", ""]


def test_psfs_activities_too_many_or_too_long_are_named_as_the_form_names_them(
    world: World,
) -> None:
    with pytest.raises(Invalid) as refused:
        _record(world, [3, 5, 4], "psfs", activities=["Gardening", "x" * 101, "Running"])
    assert refused.value.field == "activity-2-activity"
    assert refused.value.message == "PSFS activity 2: the name is longer than 100 characters"
    with pytest.raises(Invalid) as refused:
        _record(world, [3, 5, 4], "psfs", activities=[f"Task {n}" for n in range(6)])
    assert refused.value.message == "PSFS has 5 activities, got 6 named"
    assert QuestionnaireResponse.objects.count() == 0


def test_psfs_refuses_one_activity_named_twice_since_each_is_matched_by_its_name(
    world: World,
) -> None:
    first = last_event_id()
    with pytest.raises(Invalid) as refused:
        _record(world, [3, 5, 4], "psfs", activities=["Lifting", "Walking", " lifting "])
    assert refused.value.field == "activity-3-activity"
    assert refused.value.message == (
        "PSFS activities 1 and 3 both name 'lifting': name each activity once"
    )
    assert QuestionnaireResponse.objects.count() == 0 and new_events(first) == []
    # on the web form: refused beside the activity, nothing stored
    page = world.web("alice").post(
        f"/clients/{world.client.pk}/outcomes/psfs/",
        {
            "activity-1-activity": "Lifting",
            "activity-1": "3",
            "activity-2-activity": "LIFTING",
            "activity-2": "5",
            "activity-3-activity": "Walking",
            "activity-3": "4",
        },
    )
    assert page.status_code == 400
    assert "PSFS activities 1 and 2 both name &#x27;LIFTING&#x27;" in page.content.decode()
    assert QuestionnaireResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("instrument", "answers", "item", "words"),
    [
        (
            "rmdq",
            [1] * 13 + [2] + [0] * 10,
            "s14",
            "RMDQ item 14 (Statement 14): 2 is out of range",
        ),
        ("rmdq", [1] * 23, "s24", "RMDQ item 24 (Statement 24): an answer is required"),
        ("nprs", [11], "pain", "NPRS item 1 (Pain intensity): 11 is out of range"),
        ("peg", [5, None, 3], "enjoyment", "PEG item 2"),
        ("odi", [1, None, None, None, 1, 1, 1, 1, 1, 1], "section-2", "at most 2 may be left"),
    ],
)
def test_a_bad_answer_is_refused_naming_the_item_and_nothing_is_saved(
    world: World, instrument: str, answers: list[int | None], item: str, words: str
) -> None:
    first = last_event_id()
    with pytest.raises(Invalid) as refused:
        _record(world, answers, instrument)
    assert refused.value.field == item
    assert words in refused.value.message
    assert QuestionnaireResponse.objects.count() == 0
    assert new_events(first) == []


def test_an_unknown_instrument_is_refused(world: World) -> None:
    with pytest.raises(Invalid) as refused:
        _record(world, [1], "sf36")
    assert refused.value.field == "instrument" and "rmdq" in refused.value.message
    assert QuestionnaireResponse.objects.count() == 0


def test_another_clinics_therapist_cannot_record_a_response(world: World) -> None:
    data = actions.ResponseData("nprs", [5])
    with pytest.raises(Forbidden):
        actions.record_response(Context(user=world.bob), world.client, data)
    # another client: a client answers for themself only (tests/web/test_portal_questionnaires.py)
    with pytest.raises(Forbidden):
        actions.record_response(Context(user=world.erin), world.client, data)
    assert QuestionnaireResponse.objects.count() == 0


def test_a_visit_of_another_client_is_refused(world: World) -> None:
    other = client_actions.create_client(
        Context(user=world.alice),
        client_actions.ClientData(
            "Nora", "Quill", dt.date(1975, 9, 30), treatment_consent=True, data_consent=True
        ),
    )
    data = actions.ResponseData("nprs", [5], visit=world.visit)
    with pytest.raises(Invalid) as refused:
        actions.record_response(Context(user=world.alice), other, data)
    assert refused.value.field == "visit"
    assert QuestionnaireResponse.objects.count() == 0


def test_a_response_from_the_future_is_refused(world: World) -> None:
    with pytest.raises(Invalid) as refused:
        _record(world, [5], "nprs", taken_at=NOW + dt.timedelta(days=1))
    assert refused.value.field == "taken_at"


def test_the_series_gives_the_change_from_baseline_to_latest_in_words(world: World) -> None:
    _record(world, RMDQ_14, now=NOW)
    _record(world, [1] * 11 + [0] * 13, now=NOW + dt.timedelta(days=7))
    _record(world, RMDQ_8, now=NOW + dt.timedelta(days=14))
    _record(world, [6], "nprs", now=NOW)

    series = queries.series_for(world.alice, world.client)

    assert [s.instrument.id for s in series] == ["nprs", "rmdq"]  # the knowledge base's order
    nprs, rmdq = series
    assert nprs.change is None and [p.score for p in nprs.points] == [6.0]
    assert [p.score for p in rmdq.points] == [14.0, 11.0, 8.0]
    assert rmdq.change is not None and rmdq.change.passes is True
    assert rmdq.change.sentence == (
        "RMDQ 14 → 8: improved by more than the minimal important change "
        "(6 points, 43%: past the 5 points and the 30%)"
    )
    assert queries.series_for(world.bob, world.client) == []


def test_the_clinic_report_counts_clients_with_two_scores(world: World) -> None:
    _record(world, RMDQ_14, now=NOW)
    _record(world, RMDQ_8, now=NOW + dt.timedelta(days=7))
    _record(world, [6], "nprs", now=NOW)  # one score only: not counted
    gail = world.red_intake.client
    gail_ctx = Context(user=world.alice, now=NOW)
    for answers in ([1] * 10 + [0] * 14, [1] * 9 + [0] * 15):  # 10 -> 9: below the MIC
        actions.record_response(gail_ctx, gail, actions.ResponseData("rmdq", answers))

    rows = {r.instrument.id: r for r in queries.clinic_report(world.carol)}

    assert (rows["rmdq"].clients, rows["rmdq"].improved, rows["rmdq"].worse) == (2, 1, 0)
    assert rows["rmdq"].percent == "50%"
    assert (rows["nprs"].clients, rows["nprs"].improved) == (0, 0)
    assert rows["peg"].improved is None  # no threshold is set for the PEG
    assert all(r.clients == 0 for r in queries.clinic_report(world.bob))
