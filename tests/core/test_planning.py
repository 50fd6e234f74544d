"""The treatment plan: which points, in what order, with which technique, pressure and
hold - and what safety screening takes away."""

from __future__ import annotations

import pytest

from myomap.core.kb import load_default
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.planning import Palpation, check_step_bounds, propose_plan
from myomap.core.screening import Screening, screen

QL = "quadratus-lumborum-superficial-cranial"
GMED = "gluteus-medius-posterior"
PIRI = "piriformis-lateral"
LONG = "longissimus-thoracis-lower"
CANDIDATES = [(GMED, "left", 0.9), (LONG, "left", 0.7), (QL, "left", 0.5), (PIRI, "left", 0.3)]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_default()


@pytest.fixture(scope="module")
def clear(kb: KnowledgeBase) -> Screening:
    return screen(kb, {}, {})


def test_a_red_flag_gives_a_plan_with_no_steps_and_says_why(kb: KnowledgeBase) -> None:
    flagged = screen(kb, {"cauda-equina-bladder": True}, {})
    plan = propose_plan(
        kb, candidates=CANDIDATES, palpation=[Palpation(QL, "left", tender=7)], screening=flagged
    )
    assert plan.steps == ()
    assert plan.blocked_reason is not None and "emergency referral" in plan.blocked_reason


def test_a_postponed_session_has_no_steps(kb: KnowledgeBase) -> None:
    plan = propose_plan(
        kb, candidates=CANDIDATES, palpation=[], screening=screen(kb, {}, {"fever": True})
    )
    assert plan.steps == ()
    assert plan.blocked_reason == "Postpone today's session: fever."


def test_a_point_palpated_and_not_tender_is_excluded_with_the_reason(
    kb: KnowledgeBase, clear: Screening
) -> None:
    plan = propose_plan(
        kb, candidates=CANDIDATES, palpation=[Palpation(GMED, "left", tender=0)], screening=clear
    )
    assert (GMED, "left") not in {(s.trigger_point, s.side) for s in plan.steps}
    assert (GMED, "left", "palpated: not tender") in plan.excluded


def test_a_point_with_reproduced_referral_comes_first_even_if_less_tender(
    kb: KnowledgeBase, clear: Screening
) -> None:
    palpation = [
        Palpation(GMED, "left", tender=8, taut_band=True),
        Palpation(QL, "left", tender=5, taut_band=True, referral=True),
        Palpation(PIRI, "left", tender=6, taut_band=True),
    ]
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=palpation, screening=clear)
    assert [s.trigger_point for s in plan.steps[:3]] == [QL, GMED, PIRI]
    assert [s.order for s in plan.steps] == list(range(1, len(plan.steps) + 1))
    assert "referred pain" in plan.steps[0].reason


def test_palpated_points_come_before_unpalpated_candidates_in_score_order(
    kb: KnowledgeBase, clear: Screening
) -> None:
    plan = propose_plan(
        kb, candidates=CANDIDATES, palpation=[Palpation(PIRI, "left", tender=4)], screening=clear
    )
    assert [s.trigger_point for s in plan.steps] == [PIRI, GMED, LONG, QL]
    assert "not yet palpated" in plan.steps[1].reason


def test_the_default_is_ischemic_compression_at_moderate_pressure_held_10_to_30_seconds(
    kb: KnowledgeBase, clear: Screening
) -> None:
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=clear)
    dose = kb.techniques["ischemic-compression"].dose
    assert kb.plan_order[0] == "ischemic-compression"
    assert dose.hold_range == (10, 30)
    for step in plan.steps:
        assert step.technique == "ischemic-compression"
        assert step.pressure == "moderate"
        assert step.hold_seconds == dose.hold == 20
        assert step.repetitions == dose.repetitions.usual
        assert step.muscle_name and step.trigger_point_name


def test_a_taut_band_with_referral_gets_the_longest_hold_and_a_very_tender_point_a_gentler_start(
    kb: KnowledgeBase, clear: Screening
) -> None:
    palpation = [
        Palpation(QL, "left", tender=6, taut_band=True, referral=True),
        Palpation(GMED, "left", tender=9, taut_band=True),
    ]
    steps = {
        s.trigger_point: s
        for s in propose_plan(kb, candidates=[], palpation=palpation, screening=clear).steps
    }
    dose = kb.techniques["ischemic-compression"].dose
    assert dose.hold_seconds is not None and dose.gentler is not None
    assert steps[QL].hold_seconds == dose.hold_seconds.high == 30
    assert dose.gentler.from_tender <= 9
    assert steps[GMED].hold_seconds == dose.gentler.hold_seconds == 15
    assert steps[GMED].pressure == "moderate"
    assert "gentler" in steps[GMED].reason


def test_anticoagulants_remove_ischemic_compression_and_cap_pressure_at_light(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"anticoagulants": True})
    plan = propose_plan(
        kb, candidates=CANDIDATES, palpation=[Palpation(QL, "left", tender=7)], screening=screening
    )
    assert plan.steps
    for step in plan.steps:
        assert step.technique == "positional-release"
        assert step.pressure == "light"
        assert "instead of ischemic compression" in step.reason
        assert "anticoagulants" in step.reason
        assert any("Light pressure only" in m for m in step.modifications)


SOLEUS = "soleus-lower"
GASTROC = "gastrocnemius-medial-head"
CALF = [(SOLEUS, "left", 0.9), (GASTROC, "left", 0.8), (QL, "left", 0.5)]


def test_dvt_leaves_out_calf_points_and_says_why(kb: KnowledgeBase) -> None:
    screening = screen(kb, {}, {"deep-vein-thrombosis": True})
    palpation = [Palpation("soleus-proximal", "right", tender=6, taut_band=True)]
    plan = propose_plan(kb, candidates=CALF, palpation=palpation, screening=screening)
    assert [s.trigger_point for s in plan.steps] == [QL]
    why = {(tp, side): reason for tp, side, reason in plan.excluded}
    assert why[(SOLEUS, "left")].startswith("not treated: left soleus")
    assert "deep vein thrombosis" in why[(SOLEUS, "left")]
    assert "left gastrocnemius" in why[(GASTROC, "left")]
    assert "right soleus" in why[("soleus-proximal", "right")]  # tender, still not treated


def test_dvt_keeps_ischemic_compression_away_from_the_leg_but_says_to_avoid_the_affected_area(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"deep-vein-thrombosis": True})
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening)
    assert plan.steps and plan.blocked_reason is None
    for step in plan.steps:
        assert step.technique == "ischemic-compression"
        assert any("affected area" in m and "thrombosis" in m for m in step.modifications)


def test_a_point_left_out_for_its_area_does_not_take_a_place_in_the_session(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"deep-vein-thrombosis": True})
    plan = propose_plan(kb, candidates=CALF, palpation=[], screening=screening, max_steps=1)
    assert [s.trigger_point for s in plan.steps] == [QL]
    assert not any("next visit" in why for _, _, why in plan.excluded)


def test_no_point_in_a_usual_area_gets_a_technique_its_condition_removes(
    kb: KnowledgeBase,
) -> None:
    for c in kb.contraindications.values():
        if not c.areas:
            continue
        inside = [
            (tp.id, "left", 1.0)
            for tp in kb.trigger_points.values()
            if tp.location.region in c.areas
        ]
        assert inside, c.id
        plan = propose_plan(
            kb,
            candidates=inside,
            palpation=[],
            screening=screen(kb, {}, {c.id: True}),
            max_steps=50,
        )
        for step in plan.steps:
            assert step.technique not in c.removes, (c.id, step.trigger_point)
        assert len(plan.steps) + len(plan.excluded) == len(inside), c.id


def test_varicose_veins_move_calf_points_to_a_technique_still_allowed_there(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"varicose-veins": True})
    steps = {
        s.trigger_point: s
        for s in propose_plan(kb, candidates=CALF, palpation=[], screening=screening).steps
    }
    assert steps[SOLEUS].technique == "positional-release"
    assert "instead of ischemic compression" in steps[SOLEUS].reason
    assert "varicose veins" in steps[SOLEUS].reason
    assert any("area usually affected by varicose veins" in m for m in steps[SOLEUS].modifications)
    assert steps[QL].technique == "ischemic-compression"


def test_a_local_condition_without_a_usual_area_only_says_to_avoid_the_affected_area(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"open-wound": True})
    plan = propose_plan(kb, candidates=CALF, palpation=[], screening=screening)
    assert [s.trigger_point for s in plan.steps] == [SOLEUS, GASTROC, QL]
    for step in plan.steps:
        assert step.technique == "ischemic-compression"
        assert any("affected area" in m and "wounds" in m for m in step.modifications)


def test_a_precaution_adds_its_modification_to_the_step(kb: KnowledgeBase) -> None:
    screening = screen(kb, {}, {"anticoagulants": True, "blood-pressure-medication": True})
    step = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening).steps[0]
    assert any("sit them up in stages" in m for m in step.modifications)


def test_when_no_technique_is_allowed_the_plan_is_blocked_with_the_reason(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"high-risk-pregnancy": True})
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening)
    assert plan.steps == ()
    assert plan.blocked_reason is not None and "doctor" in plan.blocked_reason


def test_the_plan_keeps_to_max_steps_and_leaves_extra_tender_points_for_next_visit(
    kb: KnowledgeBase, clear: Screening
) -> None:
    palpation = [Palpation(tp, "left", tender=5) for tp, _, _ in CANDIDATES]
    plan = propose_plan(
        kb, candidates=CANDIDATES, palpation=palpation, screening=clear, max_steps=2
    )
    assert len(plan.steps) == 2
    assert sum("next visit" in why for _, _, why in plan.excluded) == 2


def test_unknown_trigger_points_and_sides_raise_value_error_naming_them(
    kb: KnowledgeBase, clear: Screening
) -> None:
    with pytest.raises(ValueError, match="piriformus"):
        propose_plan(kb, candidates=[("piriformus", "left", 1.0)], palpation=[], screening=clear)
    with pytest.raises(ValueError, match="sinister"):
        propose_plan(kb, candidates=[], palpation=[Palpation(QL, "sinister")], screening=clear)
    with pytest.raises(ValueError, match="11"):
        propose_plan(
            kb, candidates=[], palpation=[Palpation(QL, "left", tender=11)], screening=clear
        )


def test_once_a_red_flag_is_cleared_the_plan_has_steps_again(kb: KnowledgeBase) -> None:
    flagged = screen(kb, {"cancer-no-improvement": True}, {})
    cleared = flagged.clear("Reviewed by the client's doctor last week; no concerns.")
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=cleared)
    assert plan.steps and plan.blocked_reason is None


def test_a_fallback_technique_gets_its_usual_dose_from_the_knowledge_base(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"anticoagulants": True})
    step = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening).steps[0]
    assert step.technique == kb.plan_order[1] == "positional-release"  # the next in order
    dose = kb.techniques[step.technique].dose
    assert (step.hold_seconds, step.repetitions) == (dose.hold, dose.repetitions.usual)


def test_every_proposed_step_is_within_the_bounds_an_edited_step_is_checked_against(
    kb: KnowledgeBase,
) -> None:
    palpation = [
        Palpation(QL, "left", tender=9, taut_band=True),
        Palpation(GMED, "left", tender=6, taut_band=True, referral=True),
    ]
    for condition in [None, *kb.contraindications]:
        screening = screen(kb, {}, {condition: True} if condition else {})
        plan = propose_plan(kb, candidates=CANDIDATES, palpation=palpation, screening=screening)
        for step in plan.steps:
            assert (
                check_step_bounds(
                    kb, step.technique, step.hold_seconds, step.repetitions, side=step.side
                )
                == []
            ), (condition, step)


def test_a_hold_outside_the_techniques_dose_is_named_with_the_range(kb: KnowledgeBase) -> None:
    assert check_step_bounds(kb, "ischemic-compression", 45, 2) == [
        ("hold_seconds", "hold time for ischemic compression must be 10-30 seconds")
    ]
    assert check_step_bounds(kb, "ischemic-compression", 10, 1) == []
    assert check_step_bounds(kb, "soft-tissue-release", 20, 3) == [
        ("hold_seconds", "soft tissue release is not a timed hold: hold time must be 0 seconds")
    ]


def test_repetitions_may_be_fewer_than_usual_but_not_more_than_the_dose_allows(
    kb: KnowledgeBase,
) -> None:
    most = kb.techniques["ischemic-compression"].dose.repetitions.high
    assert check_step_bounds(kb, "ischemic-compression", 20, 1) == []
    assert check_step_bounds(kb, "ischemic-compression", 20, most + 1) == [
        ("repetitions", f"repetitions of ischemic compression must be 1-{most}")
    ]
    assert ("repetitions", "repetitions of ischemic compression must be 1-3") in (
        check_step_bounds(kb, "ischemic-compression", 20, 0)
    )


def test_every_bound_broken_is_reported_at_once_with_its_field(kb: KnowledgeBase) -> None:
    problems = check_step_bounds(kb, "light-effleurage", 20, 9, side="upside-down", tender=11)
    assert [field for field, _ in problems] == ["side", "tender", "hold_seconds", "repetitions"]
    assert check_step_bounds(kb, "piriformus-press", 20, 1) == [
        ("technique", "unknown technique 'piriformus-press'")
    ]
