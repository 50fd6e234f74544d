"""Safety screening: red flags stop treatment, contraindications remove or modify
techniques - checked the way a clinician reading the screen would."""

from __future__ import annotations

import pytest

from myomap.core.kb import load_default
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.screening import screen, technique_status


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_default()


def test_saddle_anaesthesia_blocks_with_emergency_urgency_and_an_emergency_referral_headline(
    kb: KnowledgeBase,
) -> None:
    result = screen(kb, {"cauda-equina-saddle": True}, {})
    assert result.blocked
    assert result.urgency == "emergency"
    assert result.headline == "Stop: consider emergency referral today (cauda equina signs)."
    assert result.red_flags[0].action.startswith("Stop")


def test_red_flags_are_listed_emergency_first_then_urgent_then_routine(
    kb: KnowledgeBase,
) -> None:
    answers = {"cancer-age-of-onset": True, "cancer-history": True, "cauda-equina-bowel": True}
    result = screen(kb, answers, {})
    assert [f.urgency for f in result.red_flags] == ["emergency", "urgent", "routine"]
    assert result.urgency == "emergency"


def test_a_routine_red_flag_alone_still_pauses_planning_and_suggests_a_check(
    kb: KnowledgeBase,
) -> None:
    result = screen(kb, {"cancer-age-of-onset": True}, {})
    assert result.blocked
    assert result.urgency == "routine"
    assert "consider" in result.headline and "doctor" in result.headline


def test_no_headline_ever_names_a_diagnosis_and_every_red_flag_says_consider(
    kb: KnowledgeBase,
) -> None:
    for flag in kb.red_flags:
        headline = screen(kb, {flag: True}, {}).headline
        assert "diagnos" not in headline.lower(), flag
        assert "consider" in headline.lower(), flag


def test_answers_of_no_record_nothing_and_the_headline_says_so(kb: KnowledgeBase) -> None:
    result = screen(kb, {"cauda-equina-saddle": False}, {"anticoagulants": False})
    assert not result.blocked and not result.postpone and not result.needs_clearance
    assert result.urgency is None
    assert result.headline == "No red flags or contraindications recorded."
    assert all(s.allowed and not s.reasons for s in technique_status(kb, result).values())


def test_anticoagulants_remove_ischemic_compression_for_the_whole_session(
    kb: KnowledgeBase,
) -> None:
    result = screen(kb, {}, {"anticoagulants": True})
    status = technique_status(kb, result)
    assert not status["ischemic-compression"].allowed
    assert not status["deep-gliding"].allowed
    assert "anticoagulants" in status["ischemic-compression"].reasons[0]
    assert status["positional-release"].allowed
    assert any("light" in m.lower() for m in status["alternating-pressure"].modifications)
    assert result.headline.startswith("Light pressure only today")
    removed = [r for r in result.technique_rules if r.effect == "removed"]
    assert {r.technique for r in removed} == {"ischemic-compression", "deep-gliding"}
    assert not any(r.local_only for r in removed)


def test_dvt_removes_techniques_only_over_the_affected_area(kb: KnowledgeBase) -> None:
    result = screen(kb, {}, {"deep-vein-thrombosis": True})
    elsewhere = technique_status(kb, result)
    over_the_leg = technique_status(kb, result, local_area=True)
    assert elsewhere["ischemic-compression"].allowed
    assert "avoid over the affected area: known deep vein thrombosis or blood clot" in (
        elsewhere["ischemic-compression"].reasons
    )
    assert not any(s.allowed for s in over_the_leg.values())
    assert all(r.local_only for r in result.technique_rules)


def test_fever_postpones_the_session_and_allows_no_technique(kb: KnowledgeBase) -> None:
    result = screen(kb, {}, {"fever": True})
    assert result.postpone and not result.blocked
    assert result.headline == "Postpone today's session: fever."
    assert not any(s.allowed for s in technique_status(kb, result).values())


def test_a_red_flag_allows_no_technique_anywhere(kb: KnowledgeBase) -> None:
    result = screen(kb, {"infection-fever": True}, {})
    status = technique_status(kb, result)
    assert not any(s.allowed for s in status.values())
    assert "red flag" in status["light-effleurage"].reasons[0]


def test_high_risk_pregnancy_needs_the_doctors_clearance_before_hands_on_work(
    kb: KnowledgeBase,
) -> None:
    result = screen(kb, {}, {"high-risk-pregnancy": True})
    assert result.needs_clearance
    assert result.headline.startswith("Ask the client's doctor first")
    assert not any(s.allowed for s in technique_status(kb, result).values())


def test_contraindications_are_ordered_postpone_first_and_precaution_last(
    kb: KnowledgeBase,
) -> None:
    answers = {
        "blood-pressure-medication": True,
        "varicose-veins": True,
        "cancer-treatment": True,
        "anticoagulants": True,
        "fever": True,
    }
    result = screen(kb, {}, answers)
    assert [c.level for c in result.contraindications] == [
        "postpone",
        "no-deep-pressure",
        "ask-doctor",
        "avoid-locally",
        "precaution",
    ]
    assert result.headline.startswith("Postpone")


def test_a_blood_pressure_precaution_modifies_how_but_removes_nothing(kb: KnowledgeBase) -> None:
    result = screen(kb, {}, {"blood-pressure-medication": True})
    status = technique_status(kb, result)
    assert all(s.allowed for s in status.values())
    assert any("slowly" in m for m in status["positional-release"].modifications)
    assert result.headline.startswith("Go ahead with care")


def test_unknown_ids_raise_value_error_naming_them(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="saddle-numbness"):
        screen(kb, {"saddle-numbness": True}, {})
    with pytest.raises(ValueError, match="warfarin"):
        screen(kb, {}, {"warfarin": True})


def test_a_recorded_referral_or_override_lets_planning_go_on_but_keeps_the_flags_on_record(
    kb: KnowledgeBase,
) -> None:
    flagged = screen(kb, {"cancer-age-of-onset": True}, {"anticoagulants": True})
    cleared = flagged.clear("Seen by GP, who agrees to gentle massage.")
    assert flagged.blocked and not cleared.blocked
    assert cleared.red_flags == flagged.red_flags and cleared.urgency == "routine"
    assert "GP" in cleared.headline and "Light pressure only" in cleared.headline
    status = technique_status(kb, cleared)
    assert status["positional-release"].allowed
    assert not status["ischemic-compression"].allowed  # the contraindication still applies
    with pytest.raises(ValueError):
        flagged.clear("   ")


def test_recorded_medical_clearance_lifts_ask_doctor_rules_but_keeps_the_rest(
    kb: KnowledgeBase,
) -> None:
    answers = {"high-risk-pregnancy": True, "anticoagulants": True}
    screening = screen(kb, {}, answers)
    assert screening.needs_clearance
    assert not technique_status(kb, screening)["positional-release"].allowed
    note = "Cleared by her obstetrician, Dr Aziz, on 3 March."
    cleared = screen(kb, {}, answers, clearance=note)
    assert not cleared.needs_clearance and cleared.clearance == note
    assert technique_status(kb, cleared)["positional-release"].allowed
    # Anticoagulants still rule out ischemic compression.
    assert not technique_status(kb, cleared)["ischemic-compression"].allowed
    assert [c.id for c in cleared.contraindications] == [c.id for c in screening.contraindications]
    assert "Ask the client's doctor" not in cleared.headline
    with pytest.raises(ValueError, match="who gave it"):
        screen(kb, {}, answers, clearance="  ")


def test_a_cleared_pregnancy_still_rules_out_deep_abdominal_work(kb: KnowledgeBase) -> None:
    from myomap.core.planning import status_at

    cleared = screen(kb, {}, {"high-risk-pregnancy": True}, clearance="Midwife agreed today.")
    pregnancy = cleared.contraindications[0]
    assert "abdomen-lower" in pregnancy.areas and "no deep abdominal work" in (pregnancy.note or "")
    belly = status_at(kb, cleared, "rectus-abdominis-lateral-lower")[0]
    assert not belly["ischemic-compression"].allowed and belly["positional-release"].allowed
    back = status_at(kb, cleared, "quadratus-lumborum-deep-cranial")[0]
    assert back["ischemic-compression"].allowed
