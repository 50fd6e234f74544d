"""The NMT factor profile: intake questions as data, and the factors they point to."""

from __future__ import annotations

import pytest

from myomap.core import factors
from myomap.core.kb import load_default
from myomap.core.kb.loader import KnowledgeBase


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_default()


def _level(profile: tuple[factors.FactorScore, ...], factor: str) -> str:
    return next(s.level for s in profile if s.factor == factor)


def test_about_twenty_questions_cover_all_seven_factors_with_sources_and_valid_references(
    kb: KnowledgeBase,
) -> None:
    qs = factors.questions(kb)
    assert 18 <= len(qs) <= 30
    assert {q.factor for q in qs} == set(kb.factors)
    assert len({q.id for q in qs}) == len(qs)
    for q in qs:
        assert q.sources and all(s in kb.sources for s in q.sources), q.id
        assert q.finding is None or q.finding in kb.findings, q.id


def test_posture_and_movement_questions_ask_about_lifting_sport_typing_sitting_wallet_and_sleep(
    kb: KnowledgeBase,
) -> None:
    asked = " ".join(
        q.text.lower()
        for q in factors.questions(kb)
        if q.factor in ("postural-distortion", "biomechanical-dysfunction")
    )
    for topic in ("lift", "golf", "tennis", "type", "sit", "wallet", "sleep"):
        assert topic in asked, topic


def test_the_profile_lists_every_factor_once_in_the_order_of_the_knowledge_base(
    kb: KnowledgeBase,
) -> None:
    profile = factors.factor_profile(kb, {})
    assert [s.factor for s in profile] == list(kb.factors)
    assert all(s.level == "not indicated" and not s.reasons for s in profile)


def test_high_stress_with_bracing_makes_stress_likely_and_names_the_answers(
    kb: KnowledgeBase,
) -> None:
    profile = factors.factor_profile(kb, {"stress-level": 3, "stress-bracing": True})
    stress = next(s for s in profile if s.factor == "stress")
    assert stress.level == "likely"
    assert any("Rated 3 of 3" in r and "stress" in r for r in stress.reasons)
    assert any(r.startswith("Answered yes") and "clenching" in r for r in stress.reasons)
    assert _level(profile, "nutrition") == "not indicated"


def test_one_yes_about_lifting_technique_makes_biomechanics_possible_not_likely(
    kb: KnowledgeBase,
) -> None:
    profile = factors.factor_profile(kb, {"biomechanics-lifting-technique": True})
    assert _level(profile, "biomechanical-dysfunction") == "possible"


def test_a_no_or_a_low_rating_raises_nothing(kb: KnowledgeBase) -> None:
    profile = factors.factor_profile(
        kb, {"stress-level": 1, "nerve-tingling-numbness": False, "ischemia-tightness": 0}
    )
    assert all(s.level == "not indicated" for s in profile)


def test_tender_points_on_palpation_raise_the_trigger_point_factor(kb: KnowledgeBase) -> None:
    profile = factors.factor_profile(kb, {}, palpation_count=5, tender_points=2)
    tps = next(s for s in profile if s.factor == "trigger-points")
    assert tps.level == "likely"
    assert any("2 of 5" in r for r in tps.reasons)
    none_tender = factors.factor_profile(kb, {}, palpation_count=4, tender_points=0)
    assert _level(none_tender, "trigger-points") == "not indicated"


def test_unknown_question_ids_and_out_of_range_answers_raise_naming_them(
    kb: KnowledgeBase,
) -> None:
    with pytest.raises(ValueError, match="sleeps-badly"):
        factors.factor_profile(kb, {"sleeps-badly": True})
    with pytest.raises(ValueError, match="stress-level"):
        factors.factor_profile(kb, {"stress-level": 5})
    with pytest.raises(ValueError, match="posture-wallet-pocket"):
        factors.factor_profile(kb, {"posture-wallet-pocket": 2})
    with pytest.raises(ValueError, match="tender_points"):
        factors.factor_profile(kb, {}, palpation_count=2, tender_points=3)


def test_suggested_findings_come_from_yes_answers_and_ratings_of_two_or_more(
    kb: KnowledgeBase,
) -> None:
    found = factors.suggested_findings(
        kb,
        {
            "biomechanics-lifting-technique": True,
            "posture-prolonged-sitting": False,
            "stress-level": 1,
            "biomechanics-one-sided-sport": True,
        },
    )
    assert found == ("poor-lifting-mechanics", "one-sided-sport-rotation")
    assert factors.suggested_findings(kb, {"stress-level": 2}) == ("stress-tension",)
