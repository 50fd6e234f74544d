"""The worked examples in docs/reasoning.md, checked so the documentation stays true."""

from __future__ import annotations

from myomap.core.referral import explain, parse_finding, scorer

DRAWING = {"buttock-upper-left": 7, "si-joint-left": 5}


def test_the_first_worked_example_gives_the_documented_ranking_and_score():
    result = explain(DRAWING)
    top = result.candidates[0]
    assert (top.trigger_point, top.side, round(top.score, 2)) == (
        "longissimus-thoracis-lower",
        "left",
        0.63,
    )
    assert [c.trigger_point for c in result.candidates[1:3]] == [
        "gluteus-medius-posterior",
        "quadratus-lumborum-deep-cranial",
    ]


def test_the_documented_finding_moves_the_medial_piriformis_to_the_top():
    finding = parse_finding("piriformis-medial:left=tender,referral", scorer().model)
    top = explain(DRAWING, [finding]).candidates[0]
    assert (top.trigger_point, round(top.score, 2)) == ("piriformis-medial", 0.90)


def test_the_second_worked_example_needs_the_documented_three_muscles():
    result = explain(
        {
            "lumbar-lower-left": 7,
            "lumbar-lower-right": 7,
            "hip-lateral-right": 5,
            "thigh-posterior-proximal-left": 4,
            "abdomen-upper-left": 3,
        }
    )
    assert {(i.muscle, i.side) for i in result.cover} == {
        ("multifidus", "left"),
        ("quadratus-lumborum", "right"),
        ("external-oblique", "left"),
    }
