"""A clinic's licensed questionnaire wording is checked against its instrument, item by
item, before anything is kept. The texts here are made up: Myomap ships no licensed
wording, and neither do its tests."""

from __future__ import annotations

from typing import Any

import pytest

from myomap.core.kb import load_default
from myomap.core.outcomes import OutcomeError
from myomap.core.outcomes.wording import answer_values, as_document, parse_wording

ODI = load_default().instruments["odi"]
STARTBACK = load_default().instruments["startback"]


def odi_file(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "instrument": "odi",
        "licence": "Test licence 0001",
        "items": {
            item.id: {
                "text": f"Made-up section {item.number}",
                "answers": [f"made-up statement {item.number}.{n}" for n in range(6)],
            }
            for item in ODI.items
        },
    }
    document.update(changes)
    return document


def test_a_whole_odi_file_gives_every_section_its_text_and_six_statements() -> None:
    wording = parse_wording(ODI, odi_file())
    assert wording.licence == "Test licence 0001"
    assert list(wording.items) == [item.id for item in ODI.items]
    assert wording.items["section-3"].text == "Made-up section 3"
    assert wording.items["section-3"].answers[5] == "made-up statement 3.5"
    assert answer_values(ODI, ODI.items[0]) == [0, 1, 2, 3, 4, 5]
    assert parse_wording(ODI, as_document(wording)) == wording  # stored and read back


def test_answers_may_be_left_out_where_the_form_lists_numbers() -> None:
    document = odi_file()
    document["items"] = {i.id: {"text": f"Section {i.number}"} for i in ODI.items}
    assert parse_wording(ODI, document).items["section-1"].answers == ()


@pytest.mark.parametrize(
    ("document", "item", "words"),
    [
        ([], "file", "must hold instrument, licence and items"),
        (odi_file(instrument="startback"), "instrument", "is for 'startback', not 'odi'"),
        (odi_file(licence="  "), "licence", "under which licence"),
        (odi_file(items=["a"]), "items", "must map each item's id"),
    ],
)
def test_a_file_that_is_not_a_wording_is_refused_naming_the_field(
    document: Any, item: str, words: str
) -> None:
    with pytest.raises(OutcomeError, match=words) as caught:
        parse_wording(ODI, document)
    assert caught.value.item == item


def test_each_item_is_checked_and_the_faulty_one_named() -> None:
    unknown = odi_file()
    unknown["items"]["section-11"] = {"text": "x"}
    with pytest.raises(OutcomeError, match="ODI has no section 'section-11'") as caught:
        parse_wording(ODI, unknown)
    assert caught.value.item == "section-11"

    missing = odi_file()
    del missing["items"]["section-7"]
    with pytest.raises(OutcomeError, match=r"section 7 \(section-7\) has no wording"):
        parse_wording(ODI, missing)

    short = odi_file()
    short["items"]["section-2"]["answers"] = ["only", "five", "of", "the", "six"]
    with pytest.raises(OutcomeError, match=r"takes 6 answers \(scores 0 to 5\), the file gives 5"):
        parse_wording(ODI, short)

    blank = odi_file()
    blank["items"]["section-4"]["answers"][2] = " "
    with pytest.raises(
        OutcomeError, match=r"section 4 \(section-4\)'s answer 3 is empty"
    ) as caught:
        parse_wording(ODI, blank)
    assert caught.value.item == "section-4"


def test_startback_items_take_as_many_statements_as_their_answers() -> None:
    document = {
        "instrument": "startback",
        "licence": "Test licence 0002",
        "items": {
            item.id: {
                "text": f"Made-up item {item.number}",
                "answers": [f"answer {v}" for v in answer_values(STARTBACK, item)],
            }
            for item in STARTBACK.items
        },
    }
    wording = parse_wording(STARTBACK, document)
    assert len(wording.items) == len(STARTBACK.items) == 9
