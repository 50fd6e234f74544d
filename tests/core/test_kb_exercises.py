"""The home program's exercises and the findings vocabulary they address."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from myomap.core.kb import KnowledgeBase, load
from myomap.core.kb.clinical import Exercise, Finding

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

FINDINGS = [
    "tight-hip-flexors",
    "weak-glutes",
    "weak-hip-abductors",
    "weak-core",
    "tight-hamstrings",
    "tight-piriformis",
    "tight-quadratus-lumborum",
    "tight-erector-spinae",
    "tight-adductors",
    "tight-tfl-itb",
    "tight-calves",
    "anterior-pelvic-tilt",
    "lateral-pelvic-tilt",
    "flat-lumbar-spine",
    "thoracic-stiffness",
    "limited-hip-rotation",
    "poor-sitting-posture",
    "prolonged-sitting",
    "poor-lifting-mechanics",
    "one-sided-sport-rotation",
    "shallow-breathing",
    "stress-tension",
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


@pytest.fixture(scope="module")
def exercises(kb: KnowledgeBase) -> dict[str, Exercise]:
    return dict(kb.exercises)


@pytest.fixture(scope="module")
def findings(kb: KnowledgeBase) -> dict[str, Finding]:
    return dict(kb.of("findings", Finding))


def test_the_home_program_offers_at_least_thirty_exercises(exercises):
    assert len(exercises) >= 30


def test_every_category_of_home_care_is_represented(exercises):
    categories = {ex.category for ex in exercises.values()}
    assert categories == {"stretch", "strength", "core", "posture", "self-release", "mobility"}


def test_every_finding_of_the_shared_vocabulary_is_defined(findings):
    assert sorted(findings) == sorted(FINDINGS)


def test_every_finding_is_addressed_by_at_least_one_exercise(exercises):
    addressed = {f for ex in exercises.values() for f in ex.addresses}
    assert [f for f in FINDINGS if f not in addressed] == []


def test_every_exercise_addresses_a_finding_or_targets_a_muscle(exercises):
    empty = [ex.id for ex in exercises.values() if not ex.addresses and not ex.muscles]
    assert empty == []


def test_tight_hip_flexors_are_answered_by_an_iliopsoas_stretch(exercises):
    assert any(
        ex.category == "stretch"
        and "tight-hip-flexors" in ex.addresses
        and "iliopsoas" in ex.muscles
        for ex in exercises.values()
    )


def test_weak_glutes_are_answered_by_strengthening_gluteus_maximus_or_medius(exercises):
    assert any(
        ex.category == "strength"
        and "weak-glutes" in ex.addresses
        and {"gluteus-maximus", "gluteus-medius"} & set(ex.muscles)
        for ex in exercises.values()
    )


def test_weak_core_is_answered_by_a_transversus_abdominis_exercise(exercises):
    assert any(
        ex.category == "core"
        and "weak-core" in ex.addresses
        and "transversus-abdominis" in ex.muscles
        for ex in exercises.values()
    )


def test_the_glute_bridge_strengthens_gluteus_maximus(exercises):
    bridge = exercises["glute-bridge"]
    assert "weak-glutes" in bridge.addresses
    assert "gluteus-maximus" in bridge.muscles


def test_every_self_release_holds_a_spot_for_ten_to_thirty_seconds(exercises):
    pattern = re.compile("10\\s*[\u2013-]\\s*30\\s*(s\\b|seconds)")
    for ex in exercises.values():
        if ex.category == "self-release":
            text = " ".join((ex.dosage, *ex.steps))
            assert pattern.search(text), f"{ex.id} does not say to hold 10-30 seconds"


def test_every_self_release_warns_to_stay_at_good_pain_and_off_bone_or_nerves(exercises):
    for ex in exercises.values():
        if ex.category == "self-release":
            text = " ".join((*ex.steps, *ex.precautions)).lower()
            assert "good pain" in text, ex.id
            assert any(word in text for word in ("bone", "nerve", "knee", "spine")), ex.id


def test_self_release_of_the_hamstrings_keeps_off_the_back_of_the_knee(exercises):
    text = " ".join(exercises["ball-release-hamstrings"].precautions).lower()
    assert "back of the knee" in text


def test_every_exercise_gives_steps_a_dosage_and_precautions(exercises):
    for ex in exercises.values():
        assert len(ex.steps) >= 2, ex.id
        assert re.search(r"\d", ex.dosage), f"{ex.id} dosage has no number"
        assert ex.precautions, f"{ex.id} says nothing about when to stop"


def test_every_exercise_cites_a_source_with_a_full_citation(kb, exercises):
    for ex in exercises.values():
        for source in ex.sources:
            assert kb.sources[source].citation, (ex.id, source)


def test_every_illustration_is_its_own_file_named_after_the_exercise(exercises):
    for ex in exercises.values():
        assert ex.illustration == f"exercises/{ex.id}.svg"


@pytest.mark.parametrize("exercise_id", sorted(load().exercises))
def test_every_illustration_is_a_safe_accessible_svg(kb, exercise_id):
    exercise = kb.exercises[exercise_id]
    path = kb.root / exercise.illustration
    assert path.is_file(), path
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox"), "no viewBox"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == exercise.name
    for element in root.iter():
        assert element.tag != f"{SVG}script", "script in an illustration"
        assert not element.tag.endswith("foreignObject")
        for attr in ("href", XLINK_HREF):
            href = element.get(attr)
            assert href is None or href.startswith("#"), f"external reference {href}"
        assert not any(k.startswith("on") for k in element.attrib), "event handler"
    assert "url(http" not in text and "@import" not in text


def test_illustrations_mark_the_muscle_or_movement_and_show_the_ball_for_self_release(
    kb, exercises
):
    muscle_or_arrow = ("#e2553f", "#0f7c86")  # the drawing's muscle and arrow colours
    for ex in exercises.values():
        text = (kb.root / ex.illustration).read_text(encoding="utf-8")
        assert any(colour in text for colour in muscle_or_arrow), ex.id
        if ex.category == "self-release":
            assert "#f0a93b" in text, f"{ex.id} shows no ball"
