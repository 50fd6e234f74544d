"""The outcomes API: list and create a client's questionnaire responses. A create is
scored before it is stored; a bad answer is a 400 naming the item with nothing saved;
another clinic gets a 404.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside,
alice his therapist, dan himself, bob at Hilltop."""

from __future__ import annotations

import pytest
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.models import AuditEvent
from myomap.outcomes.models import QuestionnaireResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def url(world: World) -> str:
    return f"/api/clients/{world.client.pk}/outcomes"


def post(world: World, persona: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return world.api(persona).post(url(world), body, content_type="application/json")


def test_a_created_response_is_stored_and_answered_with_its_score(world: World) -> None:
    answer = post(
        world,
        "alice",
        {
            "instrument": "odi",
            "answers": [3, 2, 1, 2, 2, 1, 2, None, 2, 1],
            "visit_id": world.visit.pk,
        },
    )

    assert answer.status_code == 201, answer.content
    body = answer.json()
    stored = QuestionnaireResponse.objects.get()
    assert body["id"] == stored.pk and stored.visit == world.visit and stored.via == "api"
    assert (body["score"], body["band"], body["instrument"]) == (35.6, "moderate disability", "odi")
    assert body["answers"] == [3, 2, 1, 2, 2, 1, 2, None, 2, 1]
    assert (body["entered_by"], body["visit_id"]) == ("alice", world.visit.pk)


def test_the_list_gives_the_responses_and_the_change_in_words(world: World) -> None:
    post(world, "alice", {"instrument": "rmdq", "answers": [1] * 14 + [0] * 10})
    post(world, "alice", {"instrument": "rmdq", "answers": [1] * 8 + [0] * 16})
    first = last_event_id()

    body = world.api("dan").get(url(world)).json()

    assert [r["score"] for r in body["responses"]] == [14, 8]
    [rmdq] = body["changes"]
    assert rmdq["passes"] is True and rmdq["direction"] == "improved"
    assert rmdq["reaches_threshold"] is True
    assert rmdq["sentence"] == (
        "RMDQ 14 → 8: improved by more than the minimal important change "
        "(6 points, 43%: past the 5 points and the 30%)"
    )
    assert [(d["painted_share"], d["regions"]) for d in body["drawings"]] == [
        (0.0167, 3),
        (0.0167, 3),
    ]
    assert [(e.action, e.summary) for e in new_events(first)] == [
        (AuditEvent.Action.VIEW, "outcomes")
    ]


def test_a_worsening_beyond_the_threshold_is_told_apart_from_a_small_one(world: World) -> None:
    for pain in (3, 6, 5):  # NPRS 3 -> 6 -> 5: 2 points worse, past the 2 points
        post(world, "alice", {"instrument": "nprs", "answers": [pain]})
    [nprs] = world.api("alice").get(url(world)).json()["changes"]
    assert (nprs["direction"], nprs["passes"], nprs["reaches_threshold"]) == ("worse", False, True)
    assert nprs["sentence"].startswith("NPRS 3 → 5: worse by the minimal important change")


def test_a_bad_answer_is_a_400_naming_the_item_and_nothing_is_saved(world: World) -> None:
    first = last_event_id()
    answer = post(world, "alice", {"instrument": "rmdq", "answers": [1] * 13 + [2] + [0] * 10})
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "RMDQ item 14 (Statement 14): 2 is out of range; expected 0 or 1",
        "field": "s14",
    }
    assert QuestionnaireResponse.objects.count() == 0 and new_events(first) == []


def test_a_string_answer_is_a_422(world: World) -> None:
    answer = post(world, "alice", {"instrument": "nprs", "answers": ["5"]})
    assert answer.status_code == 422
    assert QuestionnaireResponse.objects.count() == 0


def test_another_clinic_gets_404_and_a_client_may_not_write(world: World) -> None:
    post(world, "alice", {"instrument": "nprs", "answers": [6]})
    assert world.api("bob").get(url(world)).status_code == 404
    assert post(world, "bob", {"instrument": "nprs", "answers": [2]}).status_code == 404
    assert post(world, "dan", {"instrument": "nprs", "answers": [2]}).status_code == 403
    assert QuestionnaireResponse.objects.count() == 1


def test_a_visit_of_another_client_is_refused(world: World) -> None:
    gail = world.red_intake.client
    answer = world.api("alice").post(
        f"/api/clients/{gail.pk}/outcomes",
        {"instrument": "nprs", "answers": [6], "visit_id": world.visit.pk},
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json()["field"] == "visit"
    assert QuestionnaireResponse.objects.count() == 0


def test_psfs_activities_and_ratings_go_together_and_other_instruments_name_none(
    world: World,
) -> None:
    unnamed = post(world, "alice", {"instrument": "psfs", "answers": [4, 6, 2]})
    assert unnamed.status_code == 400
    assert (
        "PSFS activities 1, 2 and 3: name the activity the client rated for each"
        in unnamed.content.decode()
    )
    unrated = post(
        world,
        "alice",
        {
            "instrument": "psfs",
            "answers": [4, 6, 2, None],
            "activities": ["stairs", "sitting", "lifting", "gardening"],
        },
    )
    assert unrated.status_code == 400
    assert "PSFS activity 4: rate 'gardening' from 0 to 10" in unrated.content.decode()
    stray = post(world, "alice", {"instrument": "nprs", "answers": [5], "activities": ["x"]})
    assert stray.status_code == 400 and "NPRS has no activities to name" in stray.content.decode()
    assert not QuestionnaireResponse.objects.exists()
    good = post(
        world,
        "alice",
        {"instrument": "psfs", "answers": [4, 6, 2], "activities": ["stairs", "sitting", "lift"]},
    )
    assert good.status_code == 201
    assert QuestionnaireResponse.objects.get().activities[:3] == ["stairs", "sitting", "lift"]


def test_a_client_reading_their_scores_sees_no_account_names(world: World) -> None:
    assert post(world, "alice", {"instrument": "nprs", "answers": [5]}).status_code == 201
    staff = world.api("alice").get(url(world)).json()
    own = world.api("dan").get(url(world)).json()
    assert staff["responses"][0]["entered_by"] == "alice"
    assert own["responses"][0]["entered_by"] is None
    assert own["responses"][0]["score"] == 5
