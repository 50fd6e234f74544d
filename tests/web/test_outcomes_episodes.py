"""Episodes of care on the record: the change is measured from the first score of the
current episode (a new intake starts one), the earlier episodes shown apart; the PSFS asks
for the baseline's activities again and shows each activity's change; the session note's
draft lists the scores taken at its visit with their change from the episode's baseline.

The people are tests/personas.py's (`build_world`): Dan Marlowe's record at Lakeside,
alice his therapist. Dan's intakes and visits are the world's, made today."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from records_fixtures import World, build_world, last_event_id, new_events

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.outcomes import actions, queries
from myomap.outcomes.models import QuestionnaireResponse
from myomap.visits import actions as visit_actions
from myomap.visits import queries as visit_queries

pytestmark = pytest.mark.django_db

WRONG = "Entered for the wrong client."


@pytest.fixture
def world() -> World:
    return build_world()


def rmdq(ticked: int) -> list[int | None]:
    return [1] * ticked + [0] * (24 - ticked)


def rmdq_form(ticked: int, visit: int | None = None) -> dict[str, str]:
    form = {f"s{n}": "on" for n in range(1, ticked + 1)}
    return form | ({"visit": str(visit)} if visit else {})


def day(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y}"


def _record(world: World, answers: list[int | None], instrument: str = "rmdq", **kw: object):  # type: ignore[no-untyped-def]
    data = actions.ResponseData(instrument, answers, **kw)  # type: ignore[arg-type]
    return actions.record_response(Context(user=world.alice), world.client, data)


def _new_episode(world: World, later: dt.datetime):  # type: ignore[no-untyped-def]
    """Dan comes back: a new intake and a visit from it, `later`."""
    ctx = Context(user=world.alice, now=later)
    intake = client_actions.record_intake(
        ctx,
        world.client,
        client_actions.IntakeData("Low back pain again, after moving house", {"sacrum": 4}),
    )
    return intake, visit_actions.start_visit(ctx, world.client, intake)


# ----------------------------------------------------------------------------- episodes
def test_the_change_is_measured_from_the_current_episodes_baseline(world: World) -> None:
    _record(world, rmdq(10), visit=world.visit)
    _record(world, rmdq(18), visit=world.signed_visit)  # worse over the first course
    later = timezone.now() + dt.timedelta(days=40)
    intake, visit = _new_episode(world, later)
    with time_machine.travel(later + dt.timedelta(minutes=5), tick=False):
        world.web("alice").post(
            f"/clients/{world.client.pk}/outcomes/rmdq/", rmdq_form(18, visit.pk)
        )
    with time_machine.travel(later + dt.timedelta(days=7), tick=False):
        # entered on the record, with no visit: the new course of care is the one running
        browser = world.web("alice")
        browser.post(f"/clients/{world.client.pk}/outcomes/rmdq/", rmdq_form(16))
        page = browser.get(f"/clients/{world.client.pk}/").content.decode()
        body = world.api("alice").get(f"/api/clients/{world.client.pk}/outcomes").json()

    assert QuestionnaireResponse.objects.count() == 4
    article = re.search(r'<article class="outcome" id="outcome-rmdq".*?</article>', page, re.S)
    assert article is not None
    shown = article.group()
    # from 18 (this episode's first), not from 10 (Dan's first score ever)
    assert (
        "RMDQ 18 → 16: improved by 2 points (11%), less than the minimal important change "
        "(5 points or 30%)." in shown
    )
    assert f"This episode of care: since the intake of {day(intake.recorded_at)}" in shown
    plot = re.search(r'<svg[^>]*class="outcome-plot".*?</svg>', shown, re.S)
    assert plot is not None and plot.group().count('class="point"') == 2
    earlier = re.search(r'<details class="outcome-earlier">.*?</details>', shown, re.S)
    assert earlier is not None
    assert f"Earlier episode of care, since the intake of {day(world.intake.recorded_at)}" in (
        earlier.group()
    )
    assert (
        "RMDQ 10 → 18: worse by more than the minimal important change "
        "(8 points, 80%: past the 5 points)" in earlier.group()
    )
    assert re.findall(r"<td>(\d+)</td>", earlier.group()) == ["10", "18"]
    assert [c["sentence"] for c in body["changes"]] == [
        "RMDQ 18 → 16: improved by 2 points (11%), less than the minimal important change "
        "(5 points or 30%)"
    ]
    # the clinic's report counts the same change: neither better nor worse by the MIC
    [row] = [r for r in queries.clinic_report(world.carol) if r.instrument.id == "rmdq"]
    assert (row.clients, row.improved, row.worse) == (1, 0, 0)


def test_one_episode_shows_no_earlier_ones(world: World) -> None:
    _record(world, rmdq(14), visit=world.visit)
    _record(world, rmdq(8))  # on the record today: the course of the world's visits
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "RMDQ 14 → 8: improved by more than the minimal important change" in page
    assert 'class="outcome-earlier"' not in page
    assert f"since the intake of {day(world.intake.recorded_at)}" in page


# ----------------------------------------------------------------------------- the PSFS
PSFS_FIRST = {
    "activity-1-activity": "Gardening",
    "activity-1": "3",
    "activity-2-activity": "Climbing stairs",
    "activity-2": "4",
    "activity-3-activity": "Running",
    "activity-3": "2",
}


def test_the_psfs_asks_for_the_baselines_activities_again_and_shows_each_change(
    world: World,
) -> None:
    browser = world.web("alice")
    url = f"/clients/{world.client.pk}/outcomes/psfs/"
    browser.post(url, PSFS_FIRST | {"visit": str(world.visit.pk)})

    first = last_event_id()
    form = browser.get(f"{url}?visit={world.signed_visit.pk}").content.decode()
    assert [(e.action, e.summary) for e in new_events(first)] == [
        (AuditEvent.Action.VIEW, "PSFS baseline activities")  # it shows health data
    ]

    assert "The activities the client named at this episode's baseline" in form
    assert "At the baseline: Gardening 3; Climbing stairs 4; Running 2." in form
    for n, name in enumerate(("Gardening", "Climbing stairs", "Running"), 1):
        assert re.search(rf'name="activity-{n}-activity"[^>]*value="{name}"', form), name
    again = {k: v for k, v in PSFS_FIRST.items() if k.endswith("-activity")}
    again |= {"activity-1": "7", "activity-2": "5", "activity-3": "2"}
    browser.post(url, again | {"visit": str(world.signed_visit.pk)})

    later = QuestionnaireResponse.objects.order_by("pk").last()
    assert later is not None and later.answers[:3] == [7, 5, 2]
    assert later.activities[:3] == ["Gardening", "Climbing stairs", "Running"]
    page = browser.get(f"/clients/{world.client.pk}/").content.decode()
    table = re.search(
        r'<table class="table outcome-table outcome-activities">.*?</table>', page, re.S
    )
    assert table is not None
    assert re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td>", table.group()) == [
        ("Gardening", "3", "7"),
        ("Climbing stairs", "4", "5"),
        ("Running", "2", "2"),
    ]
    assert (
        "Gardening 3 → 7: improved by more than the minimal detectable change for one "
        "activity (4 points)" in table.group()
    )
    assert "Running 2 → 2: no change" in table.group()


def test_a_new_episode_asks_for_its_own_activities(world: World) -> None:
    _record(world, [3, 4, 2], "psfs", activities=["Gardening", "Stairs", "Running"])
    later = timezone.now() + dt.timedelta(days=40)
    _, visit = _new_episode(world, later)
    with time_machine.travel(later + dt.timedelta(minutes=5), tick=False):
        form = world.web("alice").get(f"/clients/{world.client.pk}/outcomes/psfs/?visit={visit.pk}")
    assert "At the baseline" not in form.content.decode()
    assert 'value="Gardening"' not in form.content.decode()


# ----------------------------------------------------------------------------- the note
def test_the_draft_lists_the_visits_scores_with_their_change_from_the_baseline(
    world: World,
) -> None:
    earlier = timezone.localdate() - dt.timedelta(days=6)
    browser = world.web("alice")
    url = f"/clients/{world.client.pk}/outcomes/rmdq/"
    browser.post(url, rmdq_form(14) | {"taken_on": earlier.isoformat()})  # a paper form
    draft = visit_queries.latest_version(world.visit)
    assert draft is not None and not draft.record_changed

    browser.post(url, rmdq_form(8, world.visit.pk))
    wrong = _record(world, [7], "nprs", visit=world.visit)
    actions.void_response(Context(user=world.alice), wrong, WRONG)

    # the draft was written before: it learns that the visit's record changed
    draft = visit_queries.latest_version(world.visit)
    assert draft is not None and draft.record_changed
    world.no_session()
    redraft = browser.post(f"/visits/{world.visit.pk}/note/draft/", {"revision": draft.revision})
    assert redraft.status_code == 302
    version = visit_queries.latest_version(world.visit)
    assert version is not None and not version.record_changed
    lines = version.objective.splitlines()
    at = lines.index("Outcome measures taken at this visit:")
    assert lines[at + 1 :] == [
        f"RMDQ 8 (0 to 24, higher is worse); from the baseline of this episode of care "
        f"(RMDQ 14 on {earlier.day} {earlier:%b %Y}, before the intake of "
        f"{day(world.intake.recorded_at)}): improved by more than the minimal important "
        "change (6 points, 43%: past the 5 points and the 30%)."
    ]  # the voided NPRS is not in it
    note = browser.get(f"/visits/{world.visit.pk}/note/").content.decode()
    assert "Outcome measures taken at this visit:" in note
    # the baseline predates the intake (earlier scores join the first episode): the
    # record does not say the episode runs "since" the intake
    page = browser.get(f"/clients/{world.client.pk}/").content.decode()
    intake = day(world.intake.recorded_at)
    assert f"This episode of care: the intake of {intake} and the scores before it" in page
    assert f"since the intake of {intake}" not in page


def test_the_draft_says_a_first_score_is_the_baseline_and_lists_each_psfs_activity(
    world: World,
) -> None:
    _record(world, [0, 0, 0, 0, 1, 1, 1, 0, 4], "startback", visit=world.visit)
    _record(world, [3, 4, 2], "psfs", activities=["Gardening", "Stairs", "Running"])
    _record(
        world, [7, 4, 5], "psfs", activities=["Gardening", "Stairs", "Running"], visit=world.visit
    )
    world.no_session()
    draft = visit_queries.latest_version(world.visit)
    assert draft is not None
    version = visit_actions.draft_note(
        Context(user=world.alice), world.visit, revision=draft.revision
    )
    lines = version.objective.splitlines()
    at = lines.index("Outcome measures taken at this visit:")
    since = f"since the intake of {day(world.intake.recorded_at)}"
    assert lines[at + 1 :] == [
        # entered on the record on the visit's day: counted as taken at it, as on the page
        f"PSFS 3 (0 to 10, higher is better): the baseline of this episode of care ({since}).",
        "PSFS 5.3 (0 to 10, higher is better); from the baseline of this episode of care "
        f"(PSFS 3 on {day(timezone.now())}, {since}): improved by more than the minimal "
        # 2.33 of 3 is 78% (the rounded 2.3 of 3 would say 77%)
        "detectable change (2.3 points, 78%: past the 2 points).",
        "- Gardening 3 → 7: improved by more than the minimal detectable change for one "
        "activity (4 points).",
        "- Stairs 4 → 4: no change.",
        "- Running 2 → 5: improved by the minimal detectable change for one activity (3 points).",
        f"STarT Back 4 (0 to 9, higher is worse, risk high): the baseline of this episode of "
        f"care ({since}).",
    ]


def test_a_psfs_mean_of_other_activities_says_so_on_the_record_and_in_the_note(
    world: World,
) -> None:
    # Running was not rated again and Swimming is new: the two means are of different
    # activities, which the sentence says, pointing to each activity's own change
    _record(world, [3, 4, 2], "psfs", activities=["Gardening", "Stairs", "Running"])
    _record(
        world, [7, 4, 8], "psfs", activities=["Gardening", "Stairs", "Swimming"], visit=world.visit
    )
    said = "; not the same activities as at the baseline (Running; Swimming): read each "
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert "PSFS 3 → 6.3: improved by more than the minimal detectable change" in page
    assert said.replace("'", "&#x27;") + "activity&#x27;s own change" in page
    [psfs] = world.api("alice").get(f"/api/clients/{world.client.pk}/outcomes").json()["changes"]
    assert psfs["sentence"].endswith(f"{said}activity's own change")
    world.no_session()
    draft = visit_queries.latest_version(world.visit)
    assert draft is not None
    version = visit_actions.draft_note(
        Context(user=world.alice), world.visit, revision=draft.revision
    )
    [line] = [x for x in version.objective.splitlines() if x.startswith("PSFS 6.3")]
    assert line.endswith(f"(3.3 points, 111%: past the 2 points){said}activity's own change.")


def test_a_score_voided_at_a_signed_visit_says_the_note_still_lists_it(world: World) -> None:
    taken = _record(world, [6], "nprs", visit=world.signed_visit)
    signed = visit_queries.latest_version(world.signed_visit)
    assert signed is not None and signed.is_signed
    browser = world.web("alice")
    url = f"/clients/{world.client.pk}/outcomes/responses/{taken.pk}/void/"
    browser.post(url, {"reason": WRONG})
    page = browser.get(f"/clients/{world.client.pk}/").content.decode()
    assert "signed note still lists it: amend the note to say so" in page
    after = visit_queries.latest_version(world.signed_visit)
    assert after is not None and (after.pk, after.revision) == (signed.pk, signed.revision)
