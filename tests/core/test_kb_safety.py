"""The safety part of the knowledge base: red flags, contraindications, techniques,
conditions and the "what to expect" statements, checked the way a clinician would."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from myomap.core.kb import KnowledgeBaseError, load
from myomap.core.kb.clinical import (
    Condition,
    Contraindication,
    RedFlag,
    Statement,
    Technique,
)
from myomap.core.kb.loader import DEFAULT_ROOT, KnowledgeBase

ALL_TECHNIQUES = {
    "ischemic-compression",
    "alternating-pressure",
    "deep-gliding",
    "soft-tissue-release",
    "muscle-energy-technique",
    "positional-release",
    "myofascial-release",
    "stretching",
    "light-effleurage",
}
QUALITY_RANK = {"very-low": 0, "low": 1, "moderate": 2, "high": 3}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


@pytest.fixture(scope="module")
def red_flags(kb: KnowledgeBase) -> dict[str, RedFlag]:
    return dict(kb.of("red_flags", RedFlag))


@pytest.fixture(scope="module")
def contraindications(kb: KnowledgeBase) -> dict[str, Contraindication]:
    return dict(kb.of("contraindications", Contraindication))


@pytest.fixture(scope="module")
def techniques(kb: KnowledgeBase) -> dict[str, Technique]:
    return dict(kb.of("techniques", Technique))


@pytest.fixture(scope="module")
def conditions(kb: KnowledgeBase) -> dict[str, Condition]:
    return dict(kb.of("conditions", Condition))


@pytest.fixture(scope="module")
def statements(kb: KnowledgeBase) -> dict[str, Statement]:
    return dict(kb.of("statements", Statement))


# ---------------------------------------------------------------------- red flags


def test_there_are_at_least_15_red_flags_and_15_contraindications(
    red_flags: dict[str, RedFlag], contraindications: dict[str, Contraindication]
) -> None:
    assert len(red_flags) >= 15
    assert len(contraindications) >= 15


def test_every_cauda_equina_red_flag_is_an_emergency(red_flags: dict[str, RedFlag]) -> None:
    cauda_equina = [f for f in red_flags.values() if f.category == "cauda-equina"]
    assert cauda_equina
    assert [f.id for f in cauda_equina if f.urgency != "emergency"] == []


def test_the_classic_cauda_equina_signs_are_all_asked_about(
    red_flags: dict[str, RedFlag],
) -> None:
    asked = " ".join(f.question.lower() for f in red_flags.values() if f.category == "cauda-equina")
    for sign in ("urine", "bladder", "bowel", "back passage", "legs", "walking"):
        assert sign in asked, f"no cauda equina question mentions {sign!r}"


def test_red_flags_cover_cancer_infection_fracture_and_inflammatory_disease(
    red_flags: dict[str, RedFlag],
) -> None:
    by_category: dict[str, list[str]] = {}
    for flag in red_flags.values():
        by_category.setdefault(flag.category, []).append(flag.id)
    assert len(by_category.get("cancer", [])) >= 4
    assert len(by_category.get("infection", [])) >= 4
    assert len(by_category.get("fracture", [])) >= 3
    assert by_category.get("inflammatory")


def test_a_history_of_cancer_is_never_a_routine_flag(red_flags: dict[str, RedFlag]) -> None:
    history = [
        f for f in red_flags.values() if "cancer" in f.question.lower() and f.category == "cancer"
    ]
    assert history, "no red flag asks about a history of cancer"
    assert all(f.urgency != "routine" for f in history)


def test_every_red_flag_question_is_a_question_in_plain_words(
    red_flags: dict[str, RedFlag],
) -> None:
    jargon = re.compile(
        r"anaesthesia|paraesthesia|radiculopathy|cauda|equina|neurolog|deficit|"
        r"immunosuppress|incontinen|retention|spondyl|malignan",
        re.IGNORECASE,
    )
    for flag in red_flags.values():
        assert flag.question.rstrip().endswith("?"), flag.id
        assert not jargon.search(flag.question), f"{flag.id}: {jargon.search(flag.question)}"


def test_no_red_flag_action_claims_a_diagnosis(red_flags: dict[str, RedFlag]) -> None:
    claims = re.compile(r"\byou have\b|diagnos|\bthis is\b|\bconfirms?\b", re.IGNORECASE)
    for flag in red_flags.values():
        assert not claims.search(flag.action), f"{flag.id}: {claims.search(flag.action)}"
        assert "consider" in flag.action.lower(), f"{flag.id} must say 'consider ...'"


def test_emergency_red_flags_stop_treatment_and_point_to_same_day_care(
    red_flags: dict[str, RedFlag],
) -> None:
    for flag in red_flags.values():
        if flag.urgency == "emergency":
            action = flag.action.lower()
            assert action.startswith("stop"), flag.id
            assert "emergency" in action and "today" in action, flag.id


def test_red_flags_rest_on_guidance(red_flags: dict[str, RedFlag]) -> None:
    guidance = {
        "nice-cks-back-pain",
        "nice-cks-sciatica",
        "nhs-cauda-equina",
        "finucane-2020",
        "downie-2013",
        "nice-ng65",
        # the head, neck, chest and limbs
        "nice-cg150",
        "nice-cg95",
        "nice-ng158",
        "nice-cks-neck-pain-radiculopathy",
        "nice-cks-giant-cell-arteritis",
    }
    for flag in red_flags.values():
        assert guidance & set(flag.sources), flag.id


# -------------------------------------------------------------- contraindications


def test_anticoagulants_remove_the_deep_techniques_and_soften_the_rest(
    contraindications: dict[str, Contraindication],
) -> None:
    blood_thinners = contraindications["anticoagulants"]
    assert blood_thinners.level == "no-deep-pressure"
    assert {"ischemic-compression", "deep-gliding"} <= set(blood_thinners.removes)
    softened = {m.technique: m.how.lower() for m in blood_thinners.modifies}
    assert "light" in softened["alternating-pressure"]


def test_every_bleeding_or_fragile_bone_risk_removes_every_deep_technique(
    contraindications: dict[str, Contraindication], techniques: dict[str, Technique]
) -> None:
    deep = {t.id for t in techniques.values() if t.pressure == "deep"}
    assert {"ischemic-compression", "deep-gliding"} <= deep
    for cid in ("anticoagulants", "bleeding-disorder", "low-platelets", "severe-osteoporosis"):
        assert deep <= set(contraindications[cid].removes), cid


def test_no_deep_pressure_still_leaves_light_work_possible(
    contraindications: dict[str, Contraindication],
) -> None:
    for entry in contraindications.values():
        if entry.level == "no-deep-pressure":
            assert "light-effleurage" not in entry.removes, entry.id


def test_a_known_dvt_is_avoided_locally_with_nothing_done_on_that_limb(
    contraindications: dict[str, Contraindication],
) -> None:
    dvt = contraindications["deep-vein-thrombosis"]
    assert dvt.level == "avoid-locally"
    assert set(dvt.removes) == ALL_TECHNIQUES
    assert dvt.note is not None and "limb" in dvt.note


def test_signs_of_a_new_clot_postpone_the_whole_session(
    contraindications: dict[str, Contraindication],
) -> None:
    clot = contraindications["suspected-new-clot"]
    assert clot.level == "postpone"
    assert set(clot.removes) == ALL_TECHNIQUES


def test_a_postponed_session_rules_out_every_technique(
    contraindications: dict[str, Contraindication],
) -> None:
    postponed = [c for c in contraindications.values() if c.level == "postpone"]
    assert {"fever", "contagious-infection", "severe-hypertension"} <= {c.id for c in postponed}
    for entry in postponed:
        assert set(entry.removes) == ALL_TECHNIQUES, entry.id


def test_cancer_treatment_and_high_risk_pregnancy_need_a_doctor_first(
    contraindications: dict[str, Contraindication],
) -> None:
    for cid in ("cancer-treatment", "high-risk-pregnancy", "unexplained-pain"):
        entry = contraindications[cid]
        assert entry.level == "ask-doctor", cid
        assert "ischemic-compression" in entry.removes, cid
    assert "oncologist" in (contraindications["cancer-treatment"].note or "")


def test_no_contraindication_both_removes_and_modifies_a_technique(
    contraindications: dict[str, Contraindication],
) -> None:
    for entry in contraindications.values():
        clash = set(entry.removes) & {m.technique for m in entry.modifies}
        assert not clash, f"{entry.id} removes and modifies {clash}"


def test_every_contraindication_is_asked_as_a_question(
    contraindications: dict[str, Contraindication],
) -> None:
    for entry in contraindications.values():
        assert entry.question.rstrip().endswith("?"), entry.id


def test_local_contraindications_say_the_rule_is_for_the_affected_area(
    contraindications: dict[str, Contraindication],
) -> None:
    # `removes` of a local entry applies to the affected area only, and `areas` is at
    # most the usual area: the note must say where the rule applies
    for entry in contraindications.values():
        if entry.level == "avoid-locally":
            assert entry.note, f"{entry.id} needs a note on where the rule applies"


LOWER_LIMB = {
    "calf-upper",
    "calf-lower",
    "knee-back",
    "knee-front",
    "leg-front",
    "leg-lateral",
    "thigh-posterior-proximal",
    "thigh-posterior-distal",
    "thigh-medial-proximal",
    "thigh-medial-distal",
    "thigh-anterior-proximal",
    "thigh-anterior-distal",
}


def test_a_known_dvt_usually_affects_the_whole_lower_limb(
    contraindications: dict[str, Contraindication],
) -> None:
    dvt = contraindications["deep-vein-thrombosis"]
    assert set(dvt.areas) >= LOWER_LIMB
    assert not {"lumbar-lower", "buttock-upper", "abdomen-lower"} & set(dvt.areas)


def test_varicose_veins_usually_affect_the_calf_and_inner_thigh(
    contraindications: dict[str, Contraindication],
) -> None:
    veins = set(contraindications["varicose-veins"].areas)
    assert {"calf-upper", "calf-lower", "knee-back", "thigh-medial-proximal"} <= veins
    assert veins <= LOWER_LIMB


def test_conditions_with_no_predictable_area_give_none(
    contraindications: dict[str, Contraindication],
) -> None:
    for cid in (
        "injection-site",
        "open-wound",
        "burn",
        "skin-infection",
        "fracture",
        "recent-surgery",
        "tumour",
    ):
        assert contraindications[cid].areas == (), cid


def test_usual_areas_are_local_rules_whose_note_says_the_recorded_area_wins(
    kb: KnowledgeBase, contraindications: dict[str, Contraindication]
) -> None:
    with_areas = [c for c in contraindications.values() if c.areas]
    assert with_areas
    for entry in with_areas:
        assert entry.level == "avoid-locally", entry.id
        assert set(entry.areas) <= set(kb.region_specs), entry.id
        assert entry.note and "recorded area, when known, wins" in " ".join(entry.note.split())


def test_areas_are_refused_on_anything_but_an_avoid_locally_entry() -> None:
    fields = {"id": "x", "name": "X", "question": "X?", "sources": ["werner-2016"]}
    Contraindication(**fields, level="avoid-locally", areas=["calf-upper"])
    with pytest.raises(ValidationError, match="avoid-locally"):
        Contraindication(**fields, level="no-deep-pressure", areas=["calf-upper"])


def test_an_unknown_or_sided_area_is_reported_by_the_loader(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_ROOT, root)
    path = root / "contraindications.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("areas: [groin,", "areas: [groin-left,", 1), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load(root)
    found = [str(p) for p in info.value.problems]
    assert any(
        "deep-vein-thrombosis" in p and "'areas'" in p and "groin-left" in p for p in found
    ), found


# --------------------------------------------------------------------- techniques


def test_every_technique_in_the_vocabulary_is_described(
    techniques: dict[str, Technique],
) -> None:
    assert set(techniques) == ALL_TECHNIQUES


def test_ischemic_compression_holds_10_to_30_seconds_until_release(
    techniques: dict[str, Technique],
) -> None:
    ischemic = techniques["ischemic-compression"]
    assert ischemic.pressure == "deep"
    assert "10-30 s" in ischemic.dosage
    assert "release" in ischemic.dosage


def test_pressure_techniques_ask_the_client_about_too_much_and_too_little(
    techniques: dict[str, Technique],
) -> None:
    for technique in techniques.values():
        assert technique.feedback, technique.id
        if technique.pressure in {"moderate", "deep"}:
            asked = " ".join(technique.feedback).lower()
            assert "too much" in asked, technique.id
    asked = " ".join(techniques["ischemic-compression"].feedback).lower()
    assert "too little" in asked and "better or worse" in asked


def test_every_technique_can_be_ruled_out_by_some_contraindication(
    techniques: dict[str, Technique], contraindications: dict[str, Contraindication]
) -> None:
    ruled_out = {t for c in contraindications.values() for t in c.removes}
    assert set(techniques) <= ruled_out


# --------------------------------------------------------------------- conditions


def test_every_condition_links_a_muscle_or_names_what_is_missing(
    conditions: dict[str, Condition],
) -> None:
    for condition in conditions.values():
        if condition.coverage == "full":
            assert condition.muscles, condition.id
        else:
            assert condition.note, condition.id
            note = condition.note.lower()
            assert "missing" in note or "no muscles linked" in note, condition.id
        if not condition.muscles:
            assert condition.coverage == "partial", condition.id


def test_low_back_pain_covers_the_muscles_nmt_targets(conditions: dict[str, Condition]) -> None:
    lbp = conditions["low-back-pain"]
    assert lbp.coverage == "full"
    targets = {
        "quadratus-lumborum",
        "iliocostalis-lumborum",
        "longissimus-thoracis",
        "multifidus",
        "piriformis",
        "gluteus-medius",
        "transversus-abdominis",
        "internal-oblique",
        "external-oblique",
        "iliopsoas",
        "medial-hamstrings",
        "adductor-magnus",
    }
    assert targets <= set(lbp.muscles)


def test_sciatica_names_pseudo_sciatica_muscles_and_sends_true_sciatica_to_a_doctor(
    conditions: dict[str, Condition],
) -> None:
    sciatica = conditions["sciatica"]
    assert {"gluteus-minimus", "piriformis"} <= set(sciatica.muscles)
    assert sciatica.note is not None
    assert "medical assessment" in sciatica.note and "radiculopathy" in sciatica.note


def test_headaches_link_the_neck_head_and_jaw_muscles(
    conditions: dict[str, Condition],
) -> None:
    headache = conditions["headache"]
    assert {"trapezius", "sternocleidomastoid", "suboccipitals", "temporalis"} <= set(
        headache.muscles
    )
    assert headache.note is not None and "red flags" in headache.note


def test_the_new_areas_have_their_red_flags(red_flags: dict[str, RedFlag]) -> None:
    assert red_flags["thunderclap-headache"].urgency == "emergency"
    assert red_flags["headache-fever-stiff-neck"].urgency == "emergency"
    assert red_flags["chest-pain-now"].urgency == "emergency"
    for flag in ("exertional-chest-jaw-arm-pain", "progressive-hand-weakness", "hot-swollen-calf",
                 "new-temple-headache-over-50"):  # fmt: skip
        assert red_flags[flag].urgency == "urgent", flag
    assert "jaw" in red_flags["exertional-chest-jaw-arm-pain"].question


def test_the_front_of_the_neck_is_avoided_when_the_carotid_arteries_are_at_risk(
    contraindications: dict[str, Contraindication],
) -> None:
    carotid = contraindications["carotid-artery-disease"]
    assert carotid.level == "avoid-locally"
    assert carotid.areas == ("neck-front",)
    assert "ischemic-compression" in carotid.removes


# --------------------------------------------------------------------- statements


def test_client_statements_about_benefit_are_labelled_low_or_very_low(
    statements: dict[str, Statement],
) -> None:
    trials = {"furlan-2015", "bervoets-2015", "qaseem-2017", "nice-ng59", "field-2016"}
    for statement in statements.values():
        if statement.audience == "client" and trials & set(statement.sources):
            assert statement.quality in {"low", "very-low"}, statement.id


def test_no_statement_claims_more_certainty_than_its_best_source(
    kb: KnowledgeBase, statements: dict[str, Statement]
) -> None:
    for statement in statements.values():
        assert statement.quality is not None, statement.id
        graded = [kb.sources[s].quality for s in statement.sources]
        ranks = [QUALITY_RANK[q] for q in graded if q is not None]
        if ranks:
            assert QUALITY_RANK[statement.quality] <= max(ranks), statement.id


def test_clients_are_told_what_to_expect(statements: dict[str, Statement]) -> None:
    client = " ".join(s.text for s in statements.values() if s.audience == "client")
    for expectation in (
        "24 to 36 hours",
        "4 to 14 days",
        "exercise",
        "not a treatment on its own",
        "short time",
        "more pain",
    ):
        assert expectation in client, expectation


def test_client_statements_avoid_statistics_jargon(statements: dict[str, Statement]) -> None:
    jargon = re.compile(r"\bSMD\b|\bRCT\b|meta-analys|confidence interval|systematic review")
    for statement in statements.values():
        if statement.audience == "client":
            assert not jargon.search(statement.text), statement.id


def test_therapists_get_the_furlan_effect_sizes(statements: dict[str, Statement]) -> None:
    therapist = " ".join(s.text for s in statements.values() if s.audience == "therapist")
    for number in ("-0.75", "-0.72", "-0.37", "-0.40", "1.5% to 25%"):
        assert number in therapist, number
