"""The SOAP draft and the home exercises it suggests, read the way a clinician reads a
note before signing it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from myomap.core.factors import factor_profile
from myomap.core.kb import load_default
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.notes import Soap, draft_soap, suggest_exercises
from myomap.core.planning import Palpation, propose_plan
from myomap.core.record import Movement, VisitRecord
from myomap.core.screening import screen
from myomap.core.vocab import LEVELS, URGENCY_WORDS

QL = "quadratus-lumborum-superficial-cranial"
GMED = "gluteus-medius-posterior"
LONG = "longissimus-thoracis-lower"
DRAWING = {"iliac-crest-left": 7, "buttock-upper-left": 4, "si-joint-left": 0}
CANDIDATES = [(QL, "left", 0.8), (GMED, "left", 0.6), (LONG, "left", 0.4)]
PALPATION = [
    Palpation(QL, "left", tender=7, taut_band=True, referral=True),
    Palpation(LONG, "left", tender=0),
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_default()


@pytest.fixture(scope="module")
def note(kb: KnowledgeBase) -> Soap:
    screening = screen(kb, {}, {"anticoagulants": True})
    return draft_soap(
        kb,
        VisitRecord(
            complaint="Aching low back on the left, worse after long drives",
            drawing=DRAWING,
            history="Office worker; pain for six weeks",
            medications="Warfarin",
            screening=screening,
            factors=factor_profile(kb, {"stress-level": 3, "stress-bracing": True}),
            palpation=tuple(PALPATION),
            movement=(Movement("lumbar-side-bending", "right", "positive"),),
            plan=propose_plan(kb, candidates=CANDIDATES, palpation=PALPATION, screening=screening),
            treated=((QL, "left", "positional-release", 7, 3),),
            candidates=tuple(CANDIDATES),
            exercises=("quadratus-lumborum-side-bend-stretch", "diaphragmatic-breathing"),
        ),
    )


def test_subjective_gives_the_complaint_and_where_it_hurts_in_words_with_intensities(
    note: Soap,
) -> None:
    assert note.subjective.startswith("Client reports: Aching low back on the left")
    assert "left iliac crest 7/10, left upper buttock 4/10" in note.subjective.lower()
    assert "sacroiliac" not in note.subjective.lower()  # drawn at 0: not painful
    assert "Medications: Warfarin." in note.subjective
    assert "six weeks" in note.subjective


def test_objective_names_each_point_with_its_tenderness_and_signs(note: Soap) -> None:
    assert (
        "Left quadratus lumborum, superficial cranial: tender 7/10, taut band, referral reproduced"
        in note.objective
    )
    assert "Left longissimus thoracis, lower (L1 level): not tender" in note.objective
    assert "Standing side-bending (right): positive" in note.objective


def test_objective_records_the_treatment_with_tenderness_before_and_after(note: Soap) -> None:
    treated = next(line for line in note.objective.splitlines() if line.startswith("Treated"))
    assert "quadratus lumborum, superficial cranial" in treated
    assert "positional release" in treated
    assert "7/10 before, 3/10 after" in treated


def test_assessment_describes_findings_and_never_diagnoses(note: Soap) -> None:
    assert (
        "consistent with active trigger points in left quadratus lumborum, superficial cranial"
        in note.assessment
    )
    assert "not tender: left longissimus thoracis" in note.assessment
    assert "diagnos" not in note.assessment.lower()


def test_assessment_lists_the_likely_factors_and_the_safety_measures_taken(note: Soap) -> None:
    assert "likely stress" in note.assessment
    assert "anticoagulants" in note.assessment and "light pressure only" in note.assessment


def test_plan_names_the_home_exercises_the_rebooking_and_the_expected_soreness(
    kb: KnowledgeBase, note: Soap
) -> None:
    home = kb.exercises["quadratus-lumborum-side-bend-stretch"].name
    breathing = kb.exercises["diaphragmatic-breathing"].name
    assert f"Home exercises in the plan: {home}, {breathing}." in note.plan
    assert "7 days" in note.plan
    assert "24\u201336 hours" in note.plan
    assert "gluteus medius, posterior" in note.plan  # not yet examined: next visit


def test_a_red_flag_note_says_consider_referral_and_no_treatment_without_diagnosing(
    kb: KnowledgeBase,
) -> None:
    for flag in kb.red_flags:
        screening = screen(kb, {flag: True}, {})
        soap = draft_soap(
            kb,
            VisitRecord(
                complaint="Back pain",
                drawing=DRAWING,
                screening=screening,
                plan=propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening),
                candidates=tuple(CANDIDATES),
            ),
        )
        assert "consider referral" in soap.assessment, flag
        assert "diagnos" not in soap.assessment.lower(), flag
        assert "No hands-on treatment" in soap.plan, flag
        assert "24\u201336" not in soap.plan, flag  # nothing was treated


def test_a_note_without_screening_says_the_screening_is_missing(kb: KnowledgeBase) -> None:
    soap = draft_soap(kb, VisitRecord(complaint="Stiff back", drawing={"lumbar-lower-right": 3}))
    assert "screening: not recorded" in soap.assessment.lower()
    assert "Pain drawing: right lower lumbar paraspinal 3/10." in soap.subjective


def test_unknown_ids_in_the_note_raise_value_error_naming_them(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="buttock-middle-left"):
        draft_soap(kb, VisitRecord(complaint="x", drawing={"buttock-middle-left": 3}))
    with pytest.raises(ValueError, match="thomas"):
        movement = (Movement("thomas", "left", "positive"),)
        draft_soap(kb, VisitRecord(complaint="x", drawing={}, movement=movement))
    with pytest.raises(ValueError, match="glute-bridges"):
        draft_soap(kb, VisitRecord(complaint="x", drawing={}, exercises=("glute-bridges",)))
    with pytest.raises(ValueError, match="piriformus"):
        treated = (("piriformus", "left", "stretching", 5, 2),)
        draft_soap(kb, VisitRecord(complaint="x", drawing={}, treated=treated))


def test_exercises_address_the_findings_first_then_the_treated_muscles(
    kb: KnowledgeBase,
) -> None:
    chosen = suggest_exercises(kb, ["weak-glutes", "tight-hip-flexors"], ["quadratus-lumborum"])
    assert len(chosen) == 4
    assert "hip-flexor-kneeling-stretch" in chosen[:2]
    assert any("weak-glutes" in kb.exercises[e].addresses for e in chosen[:2])
    only_muscles = suggest_exercises(kb, [], ["quadratus-lumborum"], limit=2)
    assert only_muscles and all(
        "quadratus-lumborum" in kb.exercises[e].muscles
        and kb.exercises[e].category in ("stretch", "self-release")
        for e in only_muscles
    )


def test_every_finding_gets_an_exercise_before_any_gets_a_second(kb: KnowledgeBase) -> None:
    chosen = suggest_exercises(kb, ["prolonged-sitting", "stress-tension"], [], limit=2)
    assert any("prolonged-sitting" in kb.exercises[e].addresses for e in chosen)
    assert any("stress-tension" in kb.exercises[e].addresses for e in chosen)


def test_suggest_exercises_rejects_unknown_findings_and_muscles(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="weak-glute"):
        suggest_exercises(kb, ["weak-glute"], [])
    with pytest.raises(ValueError, match="psoas"):
        suggest_exercises(kb, [], ["psoas"])


def test_a_cleared_red_flag_stays_in_the_note_with_how_it_was_cleared(kb: KnowledgeBase) -> None:
    screening = screen(kb, {"cancer-age-of-onset": True}, {}).clear("GP agrees to treatment.")
    soap = draft_soap(
        kb,
        VisitRecord(
            complaint="Back pain",
            drawing=DRAWING,
            screening=screening,
            treated=((QL, "left", "ischemic-compression", 6, 3),),
        ),
    )
    assert "red flags present" in soap.assessment and "GP agrees to treatment" in soap.assessment
    assert "diagnos" not in soap.assessment.lower()
    assert "ask about them again" in soap.plan and "No hands-on treatment" not in soap.plan


def _line(text: str, start: str) -> str:
    return next((line for line in text.splitlines() if line.startswith(start)), "")


def test_the_plan_lists_only_palpated_points_as_treatment_and_the_rest_as_candidates(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {})
    palpation = [Palpation(QL, "left", tender=6, taut_band=True)]
    candidates = [(GMED, "left", 0.9), (QL, "left", 0.7), (LONG, "left", 0.5)]
    plan = propose_plan(kb, candidates=candidates, palpation=palpation, screening=screening)
    assert len(plan.steps) == 3
    soap = draft_soap(
        kb,
        VisitRecord(
            complaint="Back pain",
            drawing=DRAWING,
            screening=screening,
            palpation=tuple(palpation),
            plan=plan,
            candidates=tuple(candidates),
        ),
    )
    treatment = _line(soap.plan, "Treatment plan:")
    assert treatment.startswith(
        "Treatment plan: 1. left quadratus lumborum, superficial cranial - ischemic compression"
    )
    assert "; 2. " not in treatment and "gluteus" not in treatment
    later = _line(soap.plan, "Candidates to palpate next; treat only if tender:")
    assert "left gluteus medius, posterior" in later
    assert "left longissimus thoracis, lower" in later
    assert "quadratus" not in later


def test_a_plan_of_unpalpated_candidates_is_not_written_as_treatment(kb: KnowledgeBase) -> None:
    screening = screen(kb, {}, {})
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening)
    soap = draft_soap(
        kb,
        VisitRecord(
            complaint="Back pain",
            drawing=DRAWING,
            screening=screening,
            plan=plan,
            candidates=tuple(CANDIDATES),
        ),
    )
    assert "Treatment plan" not in soap.plan
    later = _line(soap.plan, "Candidates to palpate next; treat only if tender:")
    assert "left quadratus lumborum, superficial cranial" in later
    assert "diagnos" not in soap.plan.lower()


def test_a_planned_point_since_found_not_tender_is_neither_treatment_nor_candidate(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {})
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening)
    palpation = [Palpation(QL, "left", tender=0), Palpation(GMED, "left", referral=True)]
    soap = draft_soap(
        kb,
        VisitRecord(
            complaint="Back pain",
            drawing=DRAWING,
            screening=screening,
            palpation=tuple(palpation),
            plan=plan,
            candidates=tuple(CANDIDATES),
        ),
    )
    assert "quadratus" not in _line(soap.plan, "Treatment plan:")
    assert "quadratus" not in _line(soap.plan, "Candidates to palpate next")
    assert "gluteus medius" in _line(soap.plan, "Treatment plan:")
    assert "longissimus" in _line(soap.plan, "Candidates to palpate next")


def test_a_planned_point_held_in_the_session_is_treatment_not_a_candidate_to_palpate(
    kb: KnowledgeBase,
) -> None:
    """The session held a planned point no one palpated in the assessment: the plan says it
    was treated, and only the points neither palpated nor held are left to palpate."""
    screening = screen(kb, {}, {})
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening)
    held = (plan.steps[0].trigger_point, plan.steps[0].side)
    soap = draft_soap(
        kb,
        VisitRecord(
            complaint="Back pain",
            drawing=DRAWING,
            screening=screening,
            plan=plan,
            candidates=tuple(CANDIDATES),
            session_points=(held,),
        ),
    )
    treatment = _line(soap.plan, "Treatment plan:")
    assert treatment.startswith("Treatment plan: 1. left quadratus lumborum, superficial cranial")
    later = _line(soap.plan, "Candidates to palpate next; treat only if tender:")
    assert "quadratus lumborum, superficial cranial" not in later
    assert "Rebook in about" in soap.plan  # treated: the aftercare lines follow


# ------------------------------------------------------- what the draft says, in words


def _record(kb: KnowledgeBase, **fields: object) -> VisitRecord:
    values: dict[str, object] = {"complaint": "Back pain", "drawing": DRAWING} | fields
    return VisitRecord(**values)  # type: ignore[arg-type]


def test_the_movement_tests_carry_the_therapists_comments(kb: KnowledgeBase) -> None:
    movement = (
        Movement("lumbar-side-bending", "right", "positive", "pulls in the left low back"),
        Movement("prone-hip-extension", "left", "negative"),
    )
    soap = draft_soap(kb, _record(kb, movement=movement))
    side_bending = kb.exam_tests["lumbar-side-bending"].name
    assert f"{side_bending} (right): positive - pulls in the left low back." in soap.objective
    hip = kb.exam_tests["prone-hip-extension"].name
    assert f"{hip} (left): negative." in soap.objective


def test_each_planned_step_gives_its_technique_pressure_hold_and_repetitions(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {})
    palpation = (Palpation(QL, "left", tender=6, taut_band=True, referral=True),)
    plan = propose_plan(kb, candidates=[], palpation=palpation, screening=screening)
    soap = draft_soap(kb, _record(kb, screening=screening, palpation=palpation, plan=plan))
    dose = kb.techniques["ischemic-compression"].dose
    assert dose.hold_seconds is not None
    hold, times = dose.hold_seconds.high, dose.repetitions.usual  # confirmed: the longest hold
    assert (
        "Treatment plan: 1. left quadratus lumborum, superficial cranial - "
        f"ischemic compression, moderate pressure, {hold} s x {times}."
    ) in soap.plan


def test_a_step_that_is_not_a_timed_hold_says_how_many_times(kb: KnowledgeBase) -> None:
    screening = screen(kb, {}, {})
    palpation = (Palpation(QL, "left", tender=5),)
    step = propose_plan(kb, candidates=[], palpation=palpation, screening=screening).steps[0]
    effleurage = kb.techniques["light-effleurage"]
    light = replace(
        step,
        technique=effleurage.id,
        technique_name=effleurage.name,
        pressure="light",
        hold_seconds=0,
        repetitions=2,
    )
    plan = propose_plan(kb, candidates=[], palpation=palpation, screening=screening)
    soap = draft_soap(
        kb,
        _record(kb, screening=screening, palpation=palpation, plan=replace(plan, steps=(light,))),
    )
    assert "- light effleurage, light pressure, 2 times." in soap.plan
    assert " 0 s" not in soap.plan


def test_a_fallback_technique_is_written_with_its_own_dose_from_the_knowledge_base(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"anticoagulants": True})
    palpation = (Palpation(QL, "left", tender=7),)
    plan = propose_plan(kb, candidates=[], palpation=palpation, screening=screening)
    soap = draft_soap(kb, _record(kb, screening=screening, palpation=palpation, plan=plan))
    dose = kb.techniques["positional-release"].dose
    assert f"positional release, light pressure, {dose.hold} s x {dose.repetitions.usual}" in (
        soap.plan
    )


def test_points_left_out_for_a_contraindicated_area_are_named_in_the_plan(
    kb: KnowledgeBase,
) -> None:
    screening = screen(kb, {}, {"deep-vein-thrombosis": True})
    palpation = (Palpation("soleus-lower", "left", tender=6), Palpation(QL, "left", tender=6))
    plan = propose_plan(kb, candidates=[], palpation=palpation, screening=screening)
    assert [s.trigger_point for s in plan.steps] == [QL]
    soap = draft_soap(
        kb,
        _record(kb, screening=screening, palpation=palpation, plan=plan, excluded=plan.excluded),
    )
    left_out = _line(soap.plan, "Not treated for safety:")
    assert left_out.startswith("Not treated for safety: left soleus")
    assert "deep vein thrombosis" in left_out and "not treated:" not in left_out
    assert soap.plan.count("Not treated for safety") == 1  # record and plan say it once


CODE = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b")


def _codes(kb: KnowledgeBase) -> set[str]:
    """Every hyphenated id or vocabulary code a draft could leak."""
    kinds = (
        kb.contraindications,
        kb.red_flags,
        kb.techniques,
        kb.trigger_points,
        kb.exam_tests,
        kb.exercises,
        kb.muscles,
        kb.factors,
    )
    ids = {entry_id for kind in kinds for entry_id in kind} | set(kb.regions)
    return {c for c in ids | set(LEVELS) if "-" in c}


def test_no_section_of_the_draft_shows_an_internal_code(kb: KnowledgeBase) -> None:
    codes = _codes(kb)
    everything = {
        c: True for c in kb.contraindications if kb.contraindications[c].level != "postpone"
    }
    screenings = [screen(kb, {}, everything), screen(kb, {}, {"fever": True})]
    screenings += [screen(kb, {flag: True}, {}) for flag in kb.red_flags]
    screenings += [
        screen(kb, {"cancer-age-of-onset": True}, {"anticoagulants": True}).clear("GP agrees.")
    ]
    for screening in screenings:
        palpation = (Palpation(QL, "left", tender=6, taut_band=True),)
        plan = propose_plan(kb, candidates=CANDIDATES, palpation=palpation, screening=screening)
        soap = draft_soap(
            kb,
            _record(
                kb,
                screening=screening,
                palpation=palpation,
                movement=(Movement("lumbar-side-bending", "left", "positive", "stiff"),),
                plan=plan,
                candidates=tuple(CANDIDATES),
                excluded=plan.excluded,
                exercises=("diaphragmatic-breathing",),
            ),
        )
        for section in (soap.subjective, soap.objective, soap.assessment, soap.plan):
            leaked = set(CODE.findall(section)) & codes
            assert not leaked, (leaked, section)


def test_every_red_flag_urgency_is_said_in_words(kb: KnowledgeBase) -> None:
    for flag in kb.red_flags.values():
        soap = draft_soap(kb, _record(kb, screening=screen(kb, {flag.id: True}, {})))
        assert f"({URGENCY_WORDS[flag.urgency]})" in soap.assessment, flag.id
        assert f"({flag.urgency})" not in soap.assessment, flag.id


def test_a_treatment_plan_ends_with_the_aftercare_timings_of_the_knowledge_base(
    kb: KnowledgeBase,
) -> None:
    care = kb.aftercare
    assert care is not None
    screening = screen(kb, {}, {})
    palpation = (Palpation(QL, "left", tender=6, taut_band=True),)
    plan = propose_plan(kb, candidates=[], palpation=palpation, screening=screening)
    soap = draft_soap(kb, _record(kb, screening=screening, palpation=palpation, plan=plan))
    relief, sore = care.relief_days, care.soreness_hours
    assert (
        f"Rebook in about {care.rebook_days.usual} days; "
        f"relief usually lasts {relief.low}-{relief.high} days."
    ) in soap.plan
    assert f"Soreness may last {sore.low}\u2013{sore.high} hours; {care.soreness_advice}." in (
        soap.plan
    )
    chosen = draft_soap(
        kb, _record(kb, screening=screening, palpation=palpation, plan=plan, rebook_days=10)
    )
    assert "Rebook in about 10 days" in chosen.plan


def test_a_plan_of_candidates_only_gives_no_aftercare(kb: KnowledgeBase) -> None:
    screening = screen(kb, {}, {})
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=[], screening=screening)
    soap = draft_soap(kb, _record(kb, screening=screening, plan=plan))
    assert "Rebook" not in soap.plan and "Soreness" not in soap.plan


@pytest.mark.parametrize(
    ("tender", "says", "never"),
    [
        (None, "Taut bands, tenderness not recorded, in", "Tender spots"),
        (6, "Tender spots in taut bands (possible trigger points) in", "tenderness not recorded"),
        (0, "Examined and not tender:", "Tender spots"),
    ],
)
def test_a_taut_band_is_called_tender_only_when_tenderness_was_recorded(
    kb: KnowledgeBase, tender: int | None, says: str, never: str
) -> None:
    """A therapist who records a taut band and no tenderness signs a note that says so,
    not one that claims a tender spot; the plan's reason says the same."""
    found = [Palpation(GMED, "left", tender=tender, taut_band=True)]
    screening = screen(kb, {}, {})
    plan = propose_plan(kb, candidates=CANDIDATES, palpation=found, screening=screening)
    soap = draft_soap(
        kb,
        VisitRecord(
            complaint="Low back",
            drawing=DRAWING,
            history="",
            medications="",
            screening=screening,
            factors=factor_profile(kb, {}),
            palpation=tuple(found),
            movement=(),
            plan=plan,
            treated=(),
            candidates=tuple(CANDIDATES),
            exercises=(),
        ),
    )
    assert says in soap.assessment and never not in soap.assessment
    reasons = " ".join(step.reason for step in plan.steps if step.trigger_point == GMED)
    if tender is None:
        assert "Taut band, tenderness not recorded" in reasons and "Tender spot" not in reasons
    elif tender:
        assert "Tender spot in a taut band" in reasons
