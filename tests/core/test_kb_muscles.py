"""The muscles part of the knowledge base: muscles, their trigger points and referral
zones, and the examination tests - checked the way a therapist would read them."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from myomap.core.kb import load_default
from myomap.core.kb.clinical import ExamTest, Muscle, TriggerPoint
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.kb.models import RegionSpec

MUSCLE_IDS = {
    "quadratus-lumborum",
    "iliocostalis-lumborum",
    "iliocostalis-thoracis",
    "longissimus-thoracis",
    "multifidus",
    "gluteus-maximus",
    "gluteus-medius",
    "gluteus-minimus",
    "piriformis",
    "iliopsoas",
    "rectus-abdominis",
    "external-oblique",
    "internal-oblique",
    "transversus-abdominis",
    "serratus-posterior-inferior",
    "medial-hamstrings",
    "biceps-femoris",
    "adductor-magnus",
    "adductor-longus-brevis",
    "tensor-fasciae-latae",
    "soleus",
    "gastrocnemius",
    "obturator-internus",
    "gemelli",
    "quadratus-femoris",
    "levator-ani",
    "coccygeus",
}

# The seed practice's low back targets, as a therapist would name them.
SEED_TARGETS = [
    "quadratus lumborum",
    "erector spinae",
    "multifidus",
    "piriformis",
    "deep lateral rotators",
    "transversus abdominis",
    "internal oblique",
    "external oblique",
    "iliopsoas",
    "hamstrings",
    "adductors",
]

# Prevalence ranges from the 2025 Biomedicines review (clinical-facts.md):
# muscle -> (active range, latent range or None when the review gives no figure).
REVIEW_PREVALENCE: dict[str, tuple[tuple[float, float], tuple[float, float] | None]] = {
    "quadratus-lumborum": ((0.30, 0.55), (0.14, 0.17)),
    "gluteus-medius": ((0.34, 0.45), (0.74, 0.74)),
    "piriformis": ((0.42, 0.42), None),
    "iliocostalis-lumborum": ((0.33, 0.38), None),
    "iliopsoas": ((0.05, 0.10), None),
}

GLUTEAL_REGIONS = {
    "buttock-upper",
    "buttock-mid",
    "buttock-lower",
    "gluteal-fold",
    "si-joint",
    "sacrum",
    "coccyx",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_default()


@pytest.fixture(scope="module")
def muscles(kb: KnowledgeBase) -> Mapping[str, Muscle]:
    return kb.muscles


@pytest.fixture(scope="module")
def tps(kb: KnowledgeBase) -> Mapping[str, TriggerPoint]:
    return kb.trigger_points


@pytest.fixture(scope="module")
def specs(kb: KnowledgeBase) -> Mapping[str, RegionSpec]:
    return kb.region_specs


@pytest.fixture(scope="module")
def tests(kb: KnowledgeBase) -> Mapping[str, ExamTest]:
    return kb.of("exam_tests", ExamTest)


def _of(tps: Mapping[str, TriggerPoint], muscle: str) -> list[TriggerPoint]:
    return [tp for tp in tps.values() if tp.muscle == muscle]


def _essential(tp: TriggerPoint) -> set[str]:
    return {z.region for z in tp.zones if z.kind == "essential"}


def _spillover(tp: TriggerPoint) -> set[str]:
    return {z.region for z in tp.zones if z.kind == "spillover"}


# ------------------------------------------------------------------- muscles


def test_every_muscle_of_the_shared_vocabulary_is_in_the_knowledge_base(
    muscles: Mapping[str, Muscle],
) -> None:
    assert set(muscles) >= MUSCLE_IDS
    assert len(muscles) >= 22


@pytest.mark.parametrize("target", SEED_TARGETS)
def test_every_low_back_target_of_the_seed_practice_is_present_and_flagged(
    muscles: Mapping[str, Muscle], target: str
) -> None:
    found = [
        m
        for m in muscles.values()
        if target in {m.id.replace("-", " "), m.name.lower(), *(a.lower() for a in m.aliases)}
        or m.id.replace("-", " ").startswith(target)
    ]
    assert found, f"no muscle is called {target!r} by id or alias"
    assert all(m.low_back_target for m in found), f"{target} is not flagged low_back_target"


@pytest.mark.parametrize(
    ("muscle", "alias"),
    [
        ("iliocostalis-lumborum", "erector spinae"),
        ("longissimus-thoracis", "erector spinae"),
        ("medial-hamstrings", "hamstrings"),
        ("biceps-femoris", "hamstrings"),
        ("adductor-magnus", "adductors"),
        ("adductor-longus-brevis", "adductors"),
        ("external-oblique", "obliques"),
        ("internal-oblique", "obliques"),
        ("obturator-internus", "deep lateral rotators"),
        ("gemelli", "deep lateral rotators"),
        ("quadratus-femoris", "deep lateral rotators"),
        ("levator-ani", "pelvic floor"),
        ("coccygeus", "pelvic floor"),
    ],
)
def test_a_therapist_can_find_a_muscle_by_its_group_name(
    muscles: Mapping[str, Muscle], muscle: str, alias: str
) -> None:
    assert alias in muscles[muscle].aliases


def test_every_muscle_cites_a_standard_anatomy_reference(muscles: Mapping[str, Muscle]) -> None:
    anatomy = {"grays-anatomy-42", "openstax-ap-2e"}
    missing = [m.id for m in muscles.values() if not anatomy & set(m.sources)]
    assert not missing


def test_every_muscle_says_how_to_position_and_palpate_the_client(
    muscles: Mapping[str, Muscle],
) -> None:
    for m in muscles.values():
        assert len(m.positioning) > 20 and len(m.palpation) > 40, m.id
        assert m.perpetuating_factors, f"{m.id} names no perpetuating factor"


# ------------------------------------------------------------ trigger points


def test_there_are_enough_trigger_points_to_reason_over(tps: Mapping[str, TriggerPoint]) -> None:
    assert len(tps) >= 45


def test_every_muscle_has_at_least_one_trigger_point(
    muscles: Mapping[str, Muscle], tps: Mapping[str, TriggerPoint]
) -> None:
    without = [m for m in muscles if not _of(tps, m)]
    assert not without


def test_trigger_point_ids_start_with_their_muscle(tps: Mapping[str, TriggerPoint]) -> None:
    wrong = [tp.id for tp in tps.values() if not tp.id.startswith(tp.muscle + "-")]
    assert not wrong


def test_every_referral_zone_and_location_is_a_region_of_the_body_map(
    tps: Mapping[str, TriggerPoint], specs: Mapping[str, RegionSpec]
) -> None:
    for tp in tps.values():
        assert tp.location.region in specs, tp.id
        for zone in tp.zones:
            assert zone.region in specs, f"{tp.id}: {zone.region}"


def test_every_trigger_point_has_an_essential_zone(tps: Mapping[str, TriggerPoint]) -> None:
    assert all(_essential(tp) for tp in tps.values())


def test_a_midline_trigger_point_refers_its_essential_pain_to_the_midline(
    tps: Mapping[str, TriggerPoint], specs: Mapping[str, RegionSpec]
) -> None:
    for tp in tps.values():
        if tp.laterality == "midline":
            sides = {specs[r].side for r in _essential(tp)}
            assert sides == {"midline"}, tp.id


def test_an_ipsilateral_trigger_point_refers_to_at_least_one_sided_region(
    tps: Mapping[str, TriggerPoint], specs: Mapping[str, RegionSpec]
) -> None:
    for tp in tps.values():
        if tp.laterality == "ipsilateral":
            assert any(specs[z.region].side == "bilateral" for z in tp.zones), tp.id


def test_a_bilateral_trigger_point_refers_to_both_sides_or_the_midline(
    tps: Mapping[str, TriggerPoint], specs: Mapping[str, RegionSpec]
) -> None:
    bilateral = [tp for tp in tps.values() if tp.laterality == "bilateral"]
    assert bilateral, "rectus abdominis bands should be bilateral"
    for tp in bilateral:
        assert all(specs[z.region].side in {"bilateral", "midline"} for z in tp.zones)


def test_quadratus_lumborum_has_its_four_classic_trigger_points(
    tps: Mapping[str, TriggerPoint],
) -> None:
    names = {tp.id for tp in _of(tps, "quadratus-lumborum")}
    assert names == {
        "quadratus-lumborum-superficial-cranial",
        "quadratus-lumborum-superficial-caudal",
        "quadratus-lumborum-deep-cranial",
        "quadratus-lumborum-deep-caudal",
    }


def test_quadratus_lumborum_patterns_go_to_crest_trochanter_si_joint_and_lower_buttock(
    tps: Mapping[str, TriggerPoint],
) -> None:
    assert "iliac-crest" in _essential(tps["quadratus-lumborum-superficial-cranial"])
    assert "hip-lateral" in _essential(tps["quadratus-lumborum-superficial-caudal"])
    assert "si-joint" in _essential(tps["quadratus-lumborum-deep-cranial"])
    assert "buttock-lower" in _essential(tps["quadratus-lumborum-deep-caudal"])


def test_gluteus_medius_has_three_trigger_points_along_the_crest(
    tps: Mapping[str, TriggerPoint],
) -> None:
    assert len(_of(tps, "gluteus-medius")) == 3


def test_gluteus_minimus_anterior_runs_down_the_side_and_posterior_down_the_back(
    tps: Mapping[str, TriggerPoint],
) -> None:
    assert {"thigh-lateral-proximal", "thigh-lateral-distal"} <= _essential(
        tps["gluteus-minimus-anterior"]
    )
    assert {"thigh-posterior-proximal", "thigh-posterior-distal"} <= _essential(
        tps["gluteus-minimus-posterior"]
    )


def test_gluteus_maximus_refers_only_within_the_gluteal_region(
    tps: Mapping[str, TriggerPoint],
) -> None:
    points = _of(tps, "gluteus-maximus")
    assert len(points) == 3
    for tp in points:
        assert {z.region for z in tp.zones} <= GLUTEAL_REGIONS, tp.id


def test_piriformis_refers_to_si_region_and_buttock_with_thigh_only_as_spillover(
    tps: Mapping[str, TriggerPoint],
) -> None:
    for tp in _of(tps, "piriformis"):
        assert {"si-joint", "buttock-mid"} <= _essential(tp)
        assert "thigh-posterior-proximal" in _spillover(tp)
        assert "thigh-posterior-proximal" not in _essential(tp)


def test_rectus_abdominis_refers_across_the_back_on_both_sides(
    tps: Mapping[str, TriggerPoint],
) -> None:
    assert tps["rectus-abdominis-upper"].laterality == "bilateral"
    assert "thoracolumbar" in _essential(tps["rectus-abdominis-upper"])
    assert tps["rectus-abdominis-lowest"].laterality == "bilateral"
    assert "si-joint" in _essential(tps["rectus-abdominis-lowest"])


def test_the_upper_soleus_trigger_point_can_refer_to_the_sacroiliac_joint(
    tps: Mapping[str, TriggerPoint],
) -> None:
    upper = tps["soleus-upper"]
    assert "si-joint" in {z.region for z in upper.zones}
    assert upper.confidence == "low", "a rare referral must not be stated with confidence"


def test_multifidus_refers_over_the_spinous_processes_and_down_to_the_coccyx(
    tps: Mapping[str, TriggerPoint],
) -> None:
    assert "spine-lumbar" in _essential(tps["multifidus-upper-lumbar"])
    assert "coccyx" in _essential(tps["multifidus-sacral"])


@pytest.mark.parametrize(
    "tp_id",
    [
        "transversus-abdominis-lower",
        "obturator-internus-pelvic",
        "gemelli-deep-buttock",
        "quadratus-femoris-deep-buttock",
        "levator-ani-pelvic-floor",
        "coccygeus-pelvic-floor",
    ],
)
def test_weakly_sourced_trigger_points_are_marked_low_confidence_and_explained(
    tps: Mapping[str, TriggerPoint], tp_id: str
) -> None:
    tp = tps[tp_id]
    assert tp.confidence == "low"
    assert tp.note


def test_high_confidence_trigger_points_rest_on_more_than_one_source(
    tps: Mapping[str, TriggerPoint],
) -> None:
    thin = [tp.id for tp in tps.values() if tp.confidence == "high" and len(tp.sources) < 2]
    assert not thin


def test_every_prevalence_cites_the_2025_review_and_lies_within_its_ranges(
    tps: Mapping[str, TriggerPoint],
) -> None:
    with_prevalence = [tp for tp in tps.values() if tp.prevalence is not None]
    assert {tp.muscle for tp in with_prevalence} == set(REVIEW_PREVALENCE)
    for tp in with_prevalence:
        prev = tp.prevalence
        assert prev is not None
        assert prev.source == "biomedicines-2025-trp-lbp"
        assert "biomedicines-2025-trp-lbp" in tp.sources
        active, latent = REVIEW_PREVALENCE[tp.muscle]
        assert prev.active is not None
        assert active[0] <= prev.active[0] <= prev.active[1] <= active[1], tp.id
        if prev.latent is not None:
            assert latent is not None, f"{tp.id}: the review gives no latent figure"
            assert latent[0] <= prev.latent[0] <= prev.latent[1] <= latent[1], tp.id


# --------------------------------------------------------------- exam tests


def test_there_are_enough_examination_tests(tests: Mapping[str, ExamTest]) -> None:
    assert len(tests) >= 14


def test_the_standard_trigger_point_criteria_are_all_available(
    tests: Mapping[str, ExamTest],
) -> None:
    criteria = {
        "taut-band",
        "tender-spot",
        "pain-recognition",
        "referred-pain-on-compression",
        "local-twitch-response",
        "jump-sign",
        "painful-limit-to-stretch",
        "weakness-without-atrophy",
        "pressure-pain-threshold",
    }
    assert criteria <= set(tests)
    for test_id in criteria:
        t = tests[test_id]
        assert t.category in {"trigger-point-criterion", "measurement"}
        assert {"gerwin-1997", "travell-simons-1992"} <= set(t.sources), test_id
    assert tests["pressure-pain-threshold"].category == "measurement"


@pytest.mark.parametrize(
    ("test_id", "finding"),
    [
        ("thomas-test", "tight-hip-flexors"),
        ("ober-test", "tight-tfl-itb"),
        ("trendelenburg", "weak-hip-abductors"),
        ("straight-leg-raise", "tight-hamstrings"),
        ("fair-piriformis", "tight-piriformis"),
        ("prone-hip-extension", "weak-glutes"),
        ("lumbar-side-bending", "tight-quadratus-lumborum"),
        ("prone-instability-test", "weak-core"),
    ],
)
def test_a_positive_movement_or_special_test_records_its_finding(
    tests: Mapping[str, ExamTest], test_id: str, finding: str
) -> None:
    assert finding in tests[test_id].records


def test_movement_and_special_tests_say_which_muscles_to_examine(
    tests: Mapping[str, ExamTest],
) -> None:
    for t in tests.values():
        if t.category in {"movement", "special"}:
            assert t.implicates, t.id


def test_the_piriformis_test_points_at_piriformis_and_the_deep_rotators(
    tests: Mapping[str, ExamTest],
) -> None:
    assert {"piriformis", "obturator-internus", "gemelli"} <= set(
        tests["fair-piriformis"].implicates
    )


def test_tests_known_to_be_unspecific_do_not_claim_high_confidence(
    tests: Mapping[str, ExamTest],
) -> None:
    for test_id in (
        "faber-patrick",
        "fair-piriformis",
        "prone-instability-test",
        "lumbar-side-bending",
        "jump-sign",
        "local-twitch-response",
    ):
        assert tests[test_id].confidence == "low", test_id
