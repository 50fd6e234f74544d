"""Properties of the reasoner that must hold for any drawing (checked with Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myomap.core.referral import explain, parse_finding, scorer

MODEL = scorer().model
REGIONS = list(MODEL.regions)
MIRROR = {r: MODEL.regions[MODEL.mirror[i]] for i, r in enumerate(MODEL.regions)}
SIDE_MIRROR = {"left": "right", "right": "left", "bilateral": "bilateral", "midline": "midline"}

drawings = st.dictionaries(st.sampled_from(REGIONS), st.integers(1, 10), min_size=1, max_size=8)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scores(result):
    return {(c.trigger_point, c.side): round(c.score, 9) for c in result.candidates}


@SETTINGS
@given(drawings)
def test_mirroring_a_drawing_mirrors_the_result(drawing):
    result = explain(drawing, top=None)
    mirrored = explain({MIRROR[r]: i for r, i in drawing.items()}, top=None)
    expected = {(p, SIDE_MIRROR[s]): v for (p, s), v in scores(result).items()}
    assert scores(mirrored) == expected
    assert len(mirrored.cover) == len(result.cover)
    assert sorted(MIRROR[r] for r in result.unexplained) == sorted(mirrored.unexplained)


@SETTINGS
@given(drawings, st.data())
def test_confirming_a_trigger_point_never_lowers_its_rank(drawing, data):
    before = explain(drawing, top=None)
    if not before.candidates:
        return
    chosen = data.draw(st.sampled_from(before.candidates))
    side = "" if chosen.side in ("bilateral", "midline") else f":{chosen.side}"
    result = data.draw(st.sampled_from(["tender", "referral", "twitch", "taut-band", "jump"]))
    finding = parse_finding(f"{chosen.trigger_point}{side}={result}", MODEL)
    after = explain(drawing, [finding], top=None)

    def rank(res):
        key = (chosen.trigger_point, chosen.side)
        mine = scores(res)[key]
        return sum(1 for k, v in scores(res).items() if k != key and v > mine)

    assert rank(after) <= rank(before)


@SETTINGS
@given(drawings)
def test_the_cover_explains_everything_any_pattern_can_explain(drawing):
    result = explain(drawing, top=None)
    covered = {r for item in result.cover for r in item.explains}
    assert covered | set(result.unexplained) == set(drawing)
    assert not covered & set(result.unexplained)


@SETTINGS
@given(st.lists(drawings, min_size=1, max_size=6))
def test_the_fast_batch_output_equals_the_one_at_a_time_answer(batch_drawings):
    from myomap.core.referral import explain_many
    from myomap.core.referral.explanation import build, rows_as_json

    batch = explain_many(batch_drawings)
    fast = list(rows_as_json(batch, 10))
    for i, drawing in enumerate(batch_drawings):
        assert fast[i] == build(batch, i, 10).as_json() == explain(drawing, top=10).as_json()
