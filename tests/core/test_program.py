"""The home program built from a visit: self-release of the client's own treated active
points first, then the exercises for the findings, small by default, never an exercise
the client's contraindications rule out (the knowledge base's exclusions, with the
reason), doses within the knowledge base's bounds."""

from __future__ import annotations

import pytest

from myomap.core.kb import load_default
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.program import (
    TreatedPoint,
    build_program,
    check_dose,
    refusal,
    rules,
    self_release_for,
    usual_dose,
)

QL = TreatedPoint("quadratus-lumborum-deep-caudal", "left", active=True, treated=True)
FINDINGS = ["tight-hip-flexors", "weak-glutes"]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_default()


def test_a_treated_active_point_gets_its_self_release_first(kb: KnowledgeBase) -> None:
    program = build_program(kb, FINDINGS, [QL], [])
    first = program.items[0]
    assert (first.exercise, first.trigger_point, first.side) == (
        "ball-release-quadratus-lumborum",
        "quadratus-lumborum-deep-caudal",
        "left",
    )
    assert first.dose.hold_seconds == rules(kb).self_release_hold_seconds.usual
    assert 10 <= first.dose.hold_seconds <= 30
    names = [i.exercise for i in program.items]
    assert "hip-flexor-kneeling-stretch" in names and "glute-bridge" in names


def test_a_point_not_active_or_not_treated_gets_no_self_release(kb: KnowledgeBase) -> None:
    latent = TreatedPoint(QL.trigger_point, "left", active=False, treated=True)
    untreated = TreatedPoint(QL.trigger_point, "left", active=True, treated=False)
    for point in (latent, untreated):
        items = build_program(kb, [], [point], []).items
        assert not any(i.trigger_point for i in items)


def test_the_program_is_small_by_default(kb: KnowledgeBase) -> None:
    many = list(kb.findings)
    program = build_program(kb, many, [QL], [])
    assert len(program.items) == rules(kb).max_exercises.value
    assert rules(kb).max_exercises.evidence == "expert-opinion"
    assert rules(kb).max_exercises.sources


def test_anticoagulants_rule_out_every_self_pressure_with_the_reason(kb: KnowledgeBase) -> None:
    program = build_program(kb, list(kb.findings), [QL], ["anticoagulants"])
    categories = {kb.exercises[i.exercise].category for i in program.items}
    assert "self-release" not in categories
    left_out = dict(program.left_out)
    assert "ball-release-quadratus-lumborum" in left_out
    assert "No self-pressure" in left_out["ball-release-quadratus-lumborum"]
    assert "anticoagulants" in left_out["ball-release-quadratus-lumborum"]
    # the rule is the knowledge base's, with its sources
    exclusion = next(e for e in rules(kb).exclusions if e.contraindication == "anticoagulants")
    assert "self-release" in exclusion.categories and exclusion.sources


@pytest.mark.parametrize("contra", ["anticoagulants", "bleeding-disorder", "deep-vein-thrombosis"])
def test_no_program_ever_holds_an_exercise_its_screening_refuses(
    kb: KnowledgeBase, contra: str
) -> None:
    points = [TreatedPoint(tp, "left", True, True) for tp in list(kb.trigger_points)[:40]]
    program = build_program(kb, list(kb.findings), points, [contra], limit=50)
    assert program.items
    assert all(refusal(kb, i.exercise, [contra]) is None for i in program.items)


def test_self_release_is_found_by_the_points_muscle(kb: KnowledgeBase) -> None:
    assert self_release_for(kb, "quadratus-lumborum-deep-caudal") == (
        "ball-release-quadratus-lumborum"
    )


def test_a_dose_outside_the_bounds_names_each_field(kb: KnowledgeBase) -> None:
    ok = usual_dose(kb, "glute-bridge")
    assert check_dose(kb, "glute-bridge", ok.__dict__) == []
    bad = {"sets": 0, "repetitions": 3, "hold_seconds": 30, "days_per_week": 8}
    problems = dict(check_dose(kb, "glute-bridge", bad))
    assert set(problems) == {"sets", "days_per_week"}
    assert problems["days_per_week"] == "days a week must be 1 to 7"
    held = {"sets": 1, "repetitions": 3, "hold_seconds": 45, "days_per_week": 7}
    assert dict(check_dose(kb, "ball-release-piriformis", held)) == {
        "hold_seconds": "hold (seconds) must be 10 to 30"
    }


def test_unknown_findings_are_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="weak-glute"):
        build_program(kb, ["weak-glute"], [], [])


def test_the_note_gives_no_self_pressure_to_a_client_on_a_blood_thinner(kb: KnowledgeBase) -> None:
    """The SOAP draft's home exercises follow the same exclusions as the program."""
    from myomap.core.notes import draft_soap
    from myomap.core.record import VisitRecord
    from myomap.core.screening import screen

    exercises = ("ball-release-quadratus-lumborum", "quadratus-lumborum-side-bend-stretch")
    on_warfarin = screen(kb, {}, {"anticoagulants": True})
    plan = draft_soap(
        kb, VisitRecord("Back pain", {}, screening=on_warfarin, exercises=exercises)
    ).plan
    assert "Home exercises in the plan: Standing side-bend stretch." in plan
    assert "Not given for home: Ball release for quadratus lumborum: No self-pressure" in plan
    clear = screen(kb, {}, {})
    plan = draft_soap(kb, VisitRecord("Back pain", {}, screening=clear, exercises=exercises)).plan
    assert (
        "Home exercises in the plan: Ball release for quadratus lumborum, "
        "Standing side-bend stretch." in plan
    )


def test_the_next_reminder_is_the_next_chosen_day_at_the_time() -> None:
    import datetime as dt

    from myomap.core.program import next_reminder

    wednesday = dt.datetime(2026, 12, 2, 8, 0)
    at = dt.time(7, 30)
    assert next_reminder((0, 3), at, wednesday) == dt.datetime(2026, 12, 3, 7, 30)
    thursday = dt.datetime(2026, 12, 3, 7, 29)
    assert next_reminder((0, 3), at, thursday) == dt.datetime(2026, 12, 3, 7, 30)
    assert next_reminder((0, 3), at, thursday.replace(minute=30)) == dt.datetime(2026, 12, 7, 7, 30)
    assert next_reminder((3,), at, thursday.replace(minute=31)) == dt.datetime(2026, 12, 10, 7, 30)
    assert next_reminder((), at, thursday) is None
