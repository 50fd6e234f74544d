"""Episodes of care (a new intake starts one; a change is measured from the current
episode's baseline), the PSFS's change per activity (each activity only against itself,
by the single-activity threshold), and the session note's lines for the scores of a
visit."""

from __future__ import annotations

import datetime as dt

from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.notes import draft_soap
from myomap.core.outcomes import score
from myomap.core.outcomes.activities import activity_changes, key, named
from myomap.core.outcomes.episodes import Started, episode_of, group
from myomap.core.outcomes.note import activity_lines, score_line
from myomap.core.record import VisitRecord

JAN_3 = dt.datetime(2026, 1, 3, 9, 30, tzinfo=dt.UTC)
MAR_3 = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)


def inst(name: str) -> Instrument:
    return load_default().instruments[name]


def started(*events: tuple[int, dt.datetime]) -> list[Started]:
    return [Started(intake, at, at.date()) for intake, at in events]


# ---------------------------------------------------------------------------- episodes
def test_a_score_at_a_visit_belongs_to_the_visits_intake() -> None:
    events = started((1, JAN_3), (2, MAR_3))
    assert episode_of(events, visit_intake=1, day=dt.date(2026, 4, 1)) == 1


def test_a_score_on_the_record_belongs_to_the_care_running_that_day() -> None:
    events = started((1, JAN_3), (2, MAR_3))
    assert episode_of(events, visit_intake=None, day=dt.date(2026, 2, 10)) == 1
    assert episode_of(events, visit_intake=None, day=dt.date(2026, 3, 10)) == 2


def test_a_score_entered_earlier_on_the_day_of_a_new_intake_goes_with_it() -> None:
    events = started((1, JAN_3), (2, MAR_3))  # the intake typed in at 15:00
    assert episode_of(events, visit_intake=None, day=dt.date(2026, 3, 3)) == 2


def test_a_visit_of_the_earlier_intake_keeps_its_course_of_care_running() -> None:
    # intake 2 recorded on 3 March, but the client's visits since go on from intake 1
    events = started((1, JAN_3), (2, MAR_3), (1, MAR_3 + dt.timedelta(days=2)))
    assert episode_of(events, visit_intake=None, day=dt.date(2026, 3, 20)) == 1


def test_a_score_before_any_intake_is_the_first_intakes_and_none_without_one() -> None:
    events = started((1, JAN_3), (2, MAR_3))
    assert episode_of(events, visit_intake=None, day=dt.date(2025, 12, 30)) == 1
    assert episode_of([], visit_intake=None, day=dt.date(2026, 1, 1)) is None


def test_the_episodes_come_in_order_with_the_latest_scores_last() -> None:
    scores = [("a", 1), ("b", 1), ("c", 2), ("d", 1)]  # a late score of episode 1
    episodes = group(scores, lambda s: s[1])
    assert [(e.intake_id, [s for s, _ in e.items]) for e in episodes] == [
        (2, ["c"]),
        (1, ["a", "b", "d"]),
    ]
    assert group([], lambda s: 0) == []


# ---------------------------------------------------------------------------- PSFS
def test_each_activity_is_compared_with_itself_by_name() -> None:
    psfs = inst("psfs")
    before = [("Gardening", 3), ("Lifting my son", 5), ("Running", 4)]
    after = [("running", 5), ("Lifting  my son", 7), ("gardening", 7)]  # reordered, recased
    changes = activity_changes(psfs, before, after)
    assert [c.sentence for c in changes] == [
        "Gardening 3 → 7: improved by more than the minimal detectable change for one "
        "activity (4 points)",
        "Lifting my son 5 → 7: improved by 2 points, less than the minimal detectable "
        "change for one activity (3 points)",
        "Running 4 → 5: improved by 1 point, less than the minimal detectable change for "
        "one activity (3 points)",
    ]
    assert [c.passes for c in changes] == [True, False, False]
    assert key(" Lifting  MY son") == "lifting my son"


def test_the_single_activity_threshold_is_the_knowledge_bases_three_points() -> None:
    psfs = inst("psfs")
    assert psfs.change is not None and psfs.change.single_item_points == 3
    [at] = activity_changes(psfs, [("Stairs", 6)], [("Stairs", 3)])
    assert (
        at.sentence
        == "Stairs 6 → 3: worse by the minimal detectable change for one activity (3 points)"
    )
    assert (at.direction, at.reaches_threshold, at.passes) == ("worse", True, False)
    [same] = activity_changes(psfs, [("Stairs", 6)], [("Stairs", 6)])
    assert (same.sentence, same.passes) == ("Stairs 6 → 6: no change", False)


def test_an_activity_named_once_is_said_to_be() -> None:
    changes = activity_changes(inst("psfs"), [("Gardening", 3)], [("Cycling", 6)])
    assert [c.sentence for c in changes] == [
        "Gardening 3: rated at the baseline, not again",
        "Cycling 6: not rated at the baseline",
    ]
    assert all(c.passes is None for c in changes)


def test_named_pairs_each_activity_with_its_rating() -> None:
    assert named(["Gardening", "Running", "", "", ""], [3, 4, None, None, None]) == [
        ("Gardening", 3),
        ("Running", 4),
    ]


# ---------------------------------------------------------------------------- the note
def test_the_note_line_gives_the_score_and_the_change_from_the_episodes_baseline() -> None:
    rmdq = inst("rmdq")
    first, later = score(rmdq, [1] * 14 + [0] * 10), score(rmdq, [1] * 8 + [0] * 16)
    line = score_line(
        rmdq, later, baseline=first, baseline_on=dt.date(2026, 3, 3), intake_on=dt.date(2026, 3, 3)
    )
    assert line == (
        "RMDQ 8 (0 to 24, higher is worse); from the baseline of this episode of care (RMDQ 14 "
        "on 3 Mar 2026, since the intake of 3 Mar 2026): improved by more than the minimal "
        "important change (6 points, 43%: past the 5 points and the 30%)."
    )
    # a baseline from before the intake (it joined the first episode) is not "since" it
    early = score_line(
        rmdq, later, baseline=first, baseline_on=dt.date(2026, 2, 27), intake_on=dt.date(2026, 3, 3)
    )
    assert "(RMDQ 14 on 27 Feb 2026, before the intake of 3 Mar 2026)" in early
    assert "since" not in early
    small = score(rmdq, [1] * 12 + [0] * 12)
    assert "less than the minimal important change (5 points or 30%)" in score_line(
        rmdq, small, baseline=first, baseline_on=None, intake_on=None
    )


def test_the_first_score_of_an_episode_is_its_baseline() -> None:
    startback = inst("startback")
    taken = score(startback, [0, 0, 0, 0, 1, 1, 1, 0, 4])
    line = score_line(
        startback, taken, baseline=None, baseline_on=None, intake_on=dt.date(2026, 3, 3)
    )
    assert line == (
        "STarT Back 4 (0 to 9, higher is worse, risk high): the baseline of this episode of "
        "care (since the intake of 3 Mar 2026)."
    )


def test_the_draft_lists_the_visits_outcome_measures_in_the_objective() -> None:
    kb = load_default()
    changes = activity_changes(inst("psfs"), [("Gardening", 3)], [("Gardening", 7)])
    lines = ("PSFS 7 (0 to 10, higher is better); ...", *activity_lines(changes))
    soap = draft_soap(kb, VisitRecord(complaint="Low back pain", drawing={}, outcomes=lines))
    assert soap.objective.splitlines()[-3:] == [
        "Outcome measures taken at this visit:",
        "PSFS 7 (0 to 10, higher is better); ...",
        "- Gardening 3 → 7: improved by more than the minimal detectable change for one "
        "activity (4 points).",
    ]
    plain = draft_soap(kb, VisitRecord(complaint="Low back pain", drawing={}))
    assert "Outcome measures" not in plain.objective
