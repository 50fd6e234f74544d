"""Reading the medications text: drug names found as whole words, pointing to the
contraindication or red flag the therapist then asks about; and what the screening
makes of a match before and after the therapist's review."""

from __future__ import annotations

import doctest

import pytest

import myomap.core.medications
from myomap.core.kb import KnowledgeBase, KnowledgeBaseError, load, load_default
from myomap.core.medications import match_medications
from myomap.core.screening import screen, technique_status

EXAMPLE = "Warfarin 5 mg daily; prednisolone 10 mg for 2 years"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_default()


def found(kb: KnowledgeBase, text: str) -> dict[str, tuple[str, ...]]:
    return {m.drug_class: m.words for m in match_medications(kb, text)}


# ----------------------------------------------------------------------------- matching
def test_the_issue_example_names_anticoagulants_and_long_term_corticosteroids(
    kb: KnowledgeBase,
) -> None:
    matches = match_medications(kb, EXAMPLE)
    assert [(m.drug_class, m.target.kind, m.target.id) for m in matches] == [
        ("anticoagulants", "contraindication", "anticoagulants"),
        ("oral-corticosteroids", "red-flag", "fracture-long-term-steroids"),
    ]
    assert [m.words for m in matches] == [("Warfarin",), ("prednisolone",)]
    assert matches[0].target.name == kb.contraindications["anticoagulants"].name
    assert matches[1].target.name == kb.red_flags["fracture-long-term-steroids"].name
    assert matches[0].plain == "a blood-thinning medicine"


def test_brand_names_are_matched_to_their_class(kb: KnowledgeBase) -> None:
    assert found(kb, "Eliquis 5mg twice a day, Plavix 75mg") == {
        "anticoagulants": ("Eliquis",),
        "antiplatelets": ("Plavix",),
    }
    assert "anticoagulants" in found(kb, "clexane injections after the op")


def test_doses_stuck_to_the_name_and_punctuation_do_not_hide_it(kb: KnowledgeBase) -> None:
    assert found(kb, "ramipril5mg") == {"antihypertensives": ("ramipril",)}
    assert found(kb, "(apixaban),tramadol.") == {
        "anticoagulants": ("apixaban",),
        "opioids": ("tramadol",),
    }
    assert found(kb, "WARFARIN\nMETHOTREXATE 15mg weekly") == {
        "anticoagulants": ("WARFARIN",),
        "immunosuppressants": ("METHOTREXATE",),
    }


def test_low_dose_aspirin_is_found_whole_however_it_is_written(kb: KnowledgeBase) -> None:
    for text in ("low dose aspirin 75 mg", "Low-dose aspirin", "low-dose  aspirin daily"):
        [match] = match_medications(kb, text)
        assert match.drug_class == "antiplatelets"
        assert match.target.id == "antiplatelets"
        assert match.words[0].casefold().replace("-", " ").split() == ["low", "dose", "aspirin"]


def test_plurals_of_plain_words_are_matched(kb: KnowledgeBase) -> None:
    assert found(kb, "blood thinners and steroid tablets") == {
        "anticoagulants": ("blood thinners",),
        "oral-corticosteroids": ("steroid tablets",),
    }
    assert found(kb, "beta blockers") == {"antihypertensives": ("beta blockers",)}


def test_only_whole_words_match(kb: KnowledgeBase) -> None:
    assert found(kb, "heparinised saline flush") == {}
    assert found(kb, "prednisolonex, warfarinate") == {}


def test_each_word_is_listed_once_in_the_order_written(kb: KnowledgeBase) -> None:
    matches = match_medications(kb, "Codeine at night; codeine and tramadol by day")
    assert [(m.drug_class, m.words) for m in matches] == [("opioids", ("Codeine", "tramadol"))]


def test_no_medication_or_an_empty_text_names_nothing(kb: KnowledgeBase) -> None:
    assert match_medications(kb, "") == ()
    assert match_medications(kb, "No medication. Vitamin D in winter.") == ()


def test_a_name_in_a_negative_sentence_is_still_a_question(kb: KnowledgeBase) -> None:
    # The matcher does not read negation: "stopped warfarin" or "aspirin allergy" still
    # asks the therapist to confirm with the client, who then answers no.
    assert found(kb, "stopped warfarin last year") == {"anticoagulants": ("warfarin",)}
    assert found(kb, "aspirin allergy") == {"antiplatelets": ("aspirin",)}
    assert found(kb, "hydrocortisone cream") == {"oral-corticosteroids": ("hydrocortisone",)}


def test_two_classes_may_point_to_the_same_contraindication(kb: KnowledgeBase) -> None:
    matches = match_medications(kb, "tramadol and baclofen")
    assert [(m.drug_class, m.target.id) for m in matches] == [
        ("opioids", "strong-painkillers"),
        ("muscle-relaxants", "strong-painkillers"),
    ]


def test_the_worked_example_in_the_docstring_holds() -> None:
    result = doctest.testmod(myomap.core.medications)
    assert result.attempted >= 3 and result.failed == 0


# ----------------------------------------------------------------------------- the data
def test_every_drug_class_points_to_a_known_contraindication_or_red_flag(
    kb: KnowledgeBase,
) -> None:
    for drug_class in kb.medications.values():
        kind, target = drug_class.target
        known = kb.contraindications if kind == "contraindication" else kb.red_flags
        assert target in known, drug_class.id
        assert drug_class.atc and drug_class.sources, drug_class.id
        assert "who-atc-ddd-index" in drug_class.sources, drug_class.id


def test_the_classes_named_in_the_issue_are_there(kb: KnowledgeBase) -> None:
    by_id = kb.medications
    assert {"anticoagulants", "antiplatelets", "oral-corticosteroids", "opioids"} <= set(by_id)
    assert {"warfarin", "apixaban", "rivaroxaban", "dabigatran", "edoxaban", "heparin"} <= set(
        by_id["anticoagulants"].generics
    )
    assert {"Coumadin", "Eliquis", "Xarelto", "Pradaxa", "Clexane"} <= set(
        by_id["anticoagulants"].brands
    )
    assert by_id["antiplatelets"].atc == ("B01AC",)
    assert by_id["oral-corticosteroids"].red_flag == "fracture-long-term-steroids"
    assert by_id["immunosuppressants"].red_flag == "infection-immunosuppression"


def test_antiplatelets_are_a_precaution_weaker_than_anticoagulants(kb: KnowledgeBase) -> None:
    antiplatelets = kb.contraindications["antiplatelets"]
    assert antiplatelets.level == "precaution"
    assert antiplatelets.removes == ()
    assert {"ischemic-compression", "deep-gliding"} <= {m.technique for m in antiplatelets.modifies}
    assert antiplatelets.note is not None and "weaker" in antiplatelets.note


def _write(tmp_path, medications: str) -> KnowledgeBase:  # type: ignore[no-untyped-def]
    import shutil

    from myomap.core.kb.loader import DEFAULT_ROOT

    root = tmp_path / "kb"
    shutil.copytree(DEFAULT_ROOT, root)
    (root / "medications.yaml").write_text(medications, encoding="utf-8")
    return load(root)


def test_a_drug_class_pointing_nowhere_is_reported_with_a_suggestion(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = """kind: medications
entries:
  - id: thinners
    name: Thinners
    plain: a thinner
    contraindication: anticoagulant
    atc: [B01AA]
    generics: [warfarin]
    sources: [who-atc-ddd-index]
"""
    with pytest.raises(KnowledgeBaseError) as caught:
        _write(tmp_path, text)
    assert "unknown contraindication 'anticoagulant' (did you mean 'anticoagulants'?)" in str(
        caught.value
    )


def test_a_drug_class_needs_exactly_one_target_and_distinct_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = """kind: medications
entries:
  - id: thinners
    name: Thinners
    plain: a thinner
    contraindication: anticoagulants
    red_flag: fracture-long-term-steroids
    atc: [B01AA]
    generics: [warfarin]
    sources: [who-atc-ddd-index]
  - id: thinners-two
    name: Thinners
    plain: a thinner
    contraindication: anticoagulants
    atc: [B01AA]
    generics: [warfarin, Warfarin]
    sources: [who-atc-ddd-index]
  - id: thinners-three
    name: Thinners
    plain: a thinner
    contraindication: anticoagulants
    atc: [B1]
    generics: [warfarin]
    sources: [who-atc-ddd-index]
"""
    with pytest.raises(KnowledgeBaseError) as caught:
        _write(tmp_path, text)
    message = str(caught.value)
    assert "give exactly one of contraindication or red_flag" in message
    assert "is listed twice" in message
    assert "entry 'thinners-three': field 'atc[0]'" in message


# ----------------------------------------------------------------------------- screening
def test_a_named_contraindication_applies_until_the_therapist_says_it_is_not_taken(
    kb: KnowledgeBase,
) -> None:
    matches = match_medications(kb, EXAMPLE)
    unreviewed = screen(kb, {}, {}, matches)
    assert [c.id for c in unreviewed.contraindications] == ["anticoagulants"]
    assert not technique_status(kb, unreviewed)["ischemic-compression"].allowed
    assert [m.answer for m in unreviewed.medication_matches] == [None, None]
    assert unreviewed.red_flags == () and not unreviewed.blocked

    taken = screen(kb, {}, {}, matches, {"anticoagulants": True})
    assert [c.id for c in taken.contraindications] == ["anticoagulants"]
    assert taken.medication_matches[0].answer is True

    not_taken = screen(kb, {}, {}, matches, {"anticoagulants": False})
    assert not_taken.contraindications == ()
    assert technique_status(kb, not_taken)["ischemic-compression"].allowed


def test_a_suggested_red_flag_is_a_question_until_confirmed(kb: KnowledgeBase) -> None:
    matches = match_medications(kb, EXAMPLE)
    steroid = screen(kb, {}, {}, matches).medication_matches[1]
    assert steroid.target_kind == "red-flag"
    assert steroid.question.startswith("The medications mention prednisolone (a steroid medicine)")
    assert kb.red_flags["fracture-long-term-steroids"].question in steroid.question

    confirmed = screen(kb, {}, {}, matches, {"fracture-long-term-steroids": True})
    assert [f.id for f in confirmed.red_flags] == ["fracture-long-term-steroids"]
    assert confirmed.blocked
    denied = screen(kb, {}, {}, matches, {"fracture-long-term-steroids": False})
    assert denied.red_flags == ()


def test_the_contraindication_question_asks_whether_the_client_takes_it(
    kb: KnowledgeBase,
) -> None:
    hit = screen(kb, {}, {}, match_medications(kb, "warfarin")).medication_matches[0]
    assert hit.question == (
        "The medications mention warfarin (a blood-thinning medicine): does the client take it?"
    )


def test_the_headline_never_says_nothing_was_found_while_a_match_is_unreviewed(
    kb: KnowledgeBase,
) -> None:
    matches = match_medications(kb, EXAMPLE)
    headline = screen(kb, {}, {}, matches).headline
    assert "No red flags or contraindications" not in headline
    assert headline.startswith("Light pressure only today: blood-thinning medicine")
    assert headline.endswith(
        "Ask the client about the medicines the intake names: Warfarin and prednisolone."
    )

    only_flag = screen(kb, {}, {}, match_medications(kb, "prednisolone 5mg"))
    assert only_flag.headline == (
        "Ask the client about the medicines the intake names: prednisolone."
    )

    both_denied = screen(
        kb, {}, {}, matches, {"anticoagulants": False, "fracture-long-term-steroids": False}
    )
    assert both_denied.headline == "No red flags or contraindications recorded."


def test_a_ticked_box_counts_as_already_confirmed(kb: KnowledgeBase) -> None:
    result = screen(kb, {}, {"anticoagulants": True}, match_medications(kb, "warfarin"))
    assert result.medication_matches[0].answer is True
    assert result.unreviewed_medications == ()
    # The ticked box wins over a review that says otherwise.
    again = screen(
        kb,
        {},
        {"anticoagulants": True},
        match_medications(kb, "warfarin"),
        {"anticoagulants": False},
    )
    assert [c.id for c in again.contraindications] == ["anticoagulants"]
