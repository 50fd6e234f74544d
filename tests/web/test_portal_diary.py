"""The client's pain diary: several entries a day, pain 0-10 in one body map region with
an optional note, from the form or the phone's queue (JSON), each recorded once; an
unknown region or a pain outside 0-10 is refused naming the field, nothing saved. The
therapist sees the diary beside the visits on the record; nobody else sees it.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside
(dan is his login), erin another Lakeside client, alice his therapist, bob at Hilltop."""

from __future__ import annotations

import json
import uuid

import pytest
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.models import AuditEvent
from myomap.program.models import DiaryEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def form(region: str = "lumbar-lower-left", pain: object = 4, note: str = "") -> dict[str, object]:
    return {"entry_id": str(uuid.uuid4()), "region": region, "pain": pain, "note": note}


def test_an_entry_from_the_form_is_stored_and_shown(world: World) -> None:
    browser = world.web("dan")
    page = browser.get("/me/diary/")
    assert page.status_code == 200 and 'name="entry_id"' in page.content.decode()
    first = last_event_id()
    done = browser.post("/me/diary/", form(note="after weeding the garden"))
    assert done.status_code == 302
    stored = DiaryEntry.objects.get()
    assert (stored.client, stored.region, stored.pain, stored.note) == (
        world.client,
        "lumbar-lower-left",
        4,
        "after weeding the garden",
    )
    assert [(e.action, e.object_type) for e in new_events(first)] == [
        (AuditEvent.Action.CREATE, "DiaryEntry")
    ]
    html = browser.get("/me/diary/").content.decode()
    assert "<strong>4/10</strong> — after weeding the garden" in html


def test_several_entries_a_day(world: World) -> None:
    browser = world.web("dan")
    for pain in (3, 6, 2):
        assert browser.post("/me/diary/", form(pain=pain)).status_code == 302
    assert sorted(DiaryEntry.objects.values_list("pain", flat=True)) == [2, 3, 6]


def test_an_entry_sent_twice_is_recorded_once(world: World) -> None:
    body = form()
    browser = world.web("dan")
    first = browser.post("/me/diary/", json.dumps(body), content_type="application/json")
    again = browser.post("/me/diary/", json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["created"] is False
    assert DiaryEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"region": "the-moon"}, "region", "unknown body region 'the-moon'"),
        ({"region": ""}, "region", "choose where the pain is"),
        ({"pain": 11}, "pain", "pain must be from 0 to 10, not 11"),
        ({"pain": -2}, "pain", "pain must be from 0 to 10, not -2"),
        ({"pain": None}, "pain", "pain must be a whole number from 0 to 10"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_field(
    world: World, change: dict[str, object], field: str, words: str
) -> None:
    browser = world.web("dan")
    answer = browser.post(
        "/me/diary/", json.dumps(form() | change), content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json() == {"detail": words, "field": field}
    assert DiaryEntry.objects.count() == 0


def test_a_bad_form_entry_is_shown_beside_its_field(world: World) -> None:
    page = world.web("dan").post("/me/diary/", form(pain=12))
    assert page.status_code == 400
    html = page.content.decode()
    assert "pain must be from 0 to 10, not 12" in html
    assert DiaryEntry.objects.count() == 0


def test_the_therapist_sees_the_diary_beside_the_visits(world: World) -> None:
    world.web("dan").post("/me/diary/", form(pain=5, note="sitting at work"))
    html = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert html.index("Visits") < html.index("Pain diary")
    assert "Left lower back" in html or "lumbar" in html.lower()
    assert "<strong>5/10</strong> — sitting at work" in html


def test_nobody_else_sees_the_diary(world: World) -> None:
    world.web("dan").post("/me/diary/", form(pain=5, note="sitting at work"))
    assert "sitting at work" not in world.web("erin").get("/me/diary/").content.decode()
    assert world.web("bob").get(f"/clients/{world.client.pk}/").status_code == 404
    assert world.web("alice").get("/me/diary/").status_code == 403
    assert world.web("alice").post("/me/diary/", form()).status_code == 403
    assert DiaryEntry.objects.count() == 1


# ------------------------------------------------------------- the body map on the form


def tapped(*regions: str, pain: object = 5, note: str = "") -> dict[str, object]:
    """The form as the page sends it without scripts: the regions ticked in the list."""
    return {"entry_id": str(uuid.uuid4()), "regions": list(regions), "pain": pain, "note": note}


def test_the_form_asks_on_the_body_map_with_a_list_by_body_area_without_scripts(
    world: World,
) -> None:
    html = world.web("dan").get("/me/diary/").content.decode()
    assert 'class="myomap-bodymap' in html and 'id="region-data"' in html
    assert '<select name="region"' not in html
    areas = ["Head and neck", "Shoulders, arms and hands", "Lower back and buttocks"]
    assert all(f"<summary>{a}</summary>" in html for a in areas)
    assert html.index("Head and neck") < html.index("Legs and feet")
    assert 'name="regions" value="lumbar-lower-left"' in html


def test_an_entry_over_two_regions_stores_a_row_each_and_shows_one_line(world: World) -> None:
    browser = world.web("dan")
    done = browser.post(
        "/me/diary/", tapped("lumbar-lower-left", "sacrum", pain=6, note="after gardening")
    )
    assert done.status_code == 302
    rows = list(DiaryEntry.objects.order_by("id").values_list("region", "pain", "note"))
    assert rows == [
        ("lumbar-lower-left", 6, "after gardening"),
        ("sacrum", 6, "after gardening"),
    ]
    html = browser.get("/me/diary/").content.decode()
    assert html.count('class="diary-regions"') == 1
    assert (
        '<span class="diary-regions">Left lower lumbar paraspinal, Sacrum</span>: '
        "<strong>6/10</strong> — after gardening"
    ) in html.replace("&#x27;", "'")


def test_entries_one_after_another_each_show_their_own_regions(world: World) -> None:
    browser = world.web("dan")
    browser.post("/me/diary/", tapped("lumbar-lower-left", "sacrum", pain=6))
    browser.post("/me/diary/", tapped("lumbar-lower-left", pain=2))
    html = browser.get("/me/diary/").content.decode()
    shown = [line.split("</span>")[0] for line in html.split('<span class="diary-regions">')[1:]]
    assert shown == [
        "Left lower lumbar paraspinal",
        "Left lower lumbar paraspinal, Sacrum",
    ]  # newest first


@pytest.mark.parametrize(
    ("sent", "words"),
    [
        (tapped(), "choose where the pain is: one body map region or more"),
        (tapped("sacrum", "the-moon"), "unknown body region 'the-moon'"),
        (tapped("sacrum", pain=11), "pain must be from 0 to 10, not 11"),
        (tapped("sacrum", pain=-1), "pain must be from 0 to 10, not -1"),
    ],
)
def test_a_bad_map_entry_is_refused_naming_what_is_wrong_and_nothing_is_stored(
    world: World, sent: dict[str, object], words: str
) -> None:
    page = world.web("dan").post("/me/diary/", sent)
    assert page.status_code == 400
    html = page.content.decode().replace("&#x27;", "'")
    assert f'<p class="field-error" role="alert">{words}</p>' in html
    assert DiaryEntry.objects.count() == 0
    if "sacrum" in sent["regions"]:  # type: ignore[operator]
        assert 'name="regions" value="sacrum" checked' in html  # kept ticked


def test_an_entry_over_regions_from_the_phones_queue_is_recorded_once(world: World) -> None:
    body = tapped("neck-back-left", "neck-back-right", pain=3)
    browser = world.web("dan")
    first = browser.post("/me/diary/", json.dumps(body), content_type="application/json")
    again = browser.post("/me/diary/", json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["regions"] == ["neck-back-left", "neck-back-right"]
    assert again.json()["created"] is False
    assert sorted(DiaryEntry.objects.values_list("region", flat=True)) == [
        "neck-back-left",
        "neck-back-right",
    ]
    refused = browser.post(
        "/me/diary/", json.dumps(tapped(pain=3)), content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["field"] == "regions"
