"""Referral reasoning: what a therapist would notice in the ranking, the cover and errors."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from myomap.core.kb import load_default
from myomap.core.kb.patterns import referral_pattern
from myomap.core.referral import InputError, explain, explain_many, parse_finding, scorer
from myomap.core.referral.compiled import compile_model
from myomap.core.referral.engine import Scorer
from myomap.core.referral.explanation import build, rows_as_json

KB = load_default()
MODEL = scorer().model


def top_points(result, n=5):
    return [c.trigger_point for c in result.candidates[:n]]


def competition_rank(result, point_id):
    """1 + the number of distinct trigger points scoring strictly higher (ties share a rank)."""
    best = {}
    for c in result.candidates:
        best[c.trigger_point] = max(best.get(c.trigger_point, 0.0), c.score)
    mine = best.get(point_id)
    if mine is None:
        return 10**6
    return 1 + sum(1 for p, s in best.items() if p != point_id and s > mine + 1e-12)


def competition_rank_among(result, point_id, twins):
    """competition_rank, not counting the points in `twins` (other than point_id)."""
    best = {}
    for c in result.candidates:
        best[c.trigger_point] = max(best.get(c.trigger_point, 0.0), c.score)
    mine = best.get(point_id)
    if mine is None:
        return 10**6
    return 1 + sum(
        1 for p, s in best.items() if p != point_id and p not in twins and s > mine + 1e-12
    )


def test_left_buttock_and_si_pain_points_to_left_side_muscles():
    result = explain({"buttock-upper-left": 7, "si-joint-left": 5})
    assert result.candidates, "there must be candidates"
    for c in result.candidates[:5]:
        assert c.side in ("left", "bilateral", "midline"), c
    assert all(
        set(c.explains) <= {"buttock-upper-left", "si-joint-left"} for c in result.candidates
    )


def test_every_listed_candidate_explains_part_of_the_drawing_and_says_which_zone():
    result = explain({"lumbar-lower-right": 6, "hip-lateral-right": 4, "groin-right": 3})
    for c in result.candidates:
        assert c.explains
        assert set(c.explains_essential) <= set(c.explains)
        assert set(c.explains) | set(c.unexplained) == set(result.drawing)


def test_buttock_only_pain_points_first_to_a_muscle_that_refers_only_to_the_buttock():
    result = explain({"buttock-upper-left": 6, "buttock-mid-left": 6, "buttock-lower-left": 6})
    first = result.candidates[0]
    gluteal = {"buttock-upper", "buttock-mid", "buttock-lower", "gluteal-fold", "sacrum", "coccyx"}
    point = KB.trigger_points[first.trigger_point]
    assert {z.region for z in point.zones} <= gluteal, first.trigger_point


def test_a_specific_pattern_outranks_a_broad_one_that_covers_more_pain_free_area():
    # Piriformis refers to the SI region, buttock and posterior hip; a drawing of the
    # whole piriformis pattern must rank it above a point that explains only one region.
    pattern = referral_pattern(KB, KB.trigger_points["piriformis-lateral"], "right")
    result = explain({r: 6 for r in pattern})
    assert competition_rank(result, "piriformis-lateral") <= 2


def test_an_essential_zone_weighs_more_than_a_spillover_zone():
    point = KB.trigger_points["quadratus-lumborum-superficial-caudal"]
    essential = next(z.region for z in point.zones if z.kind == "essential")
    spillover = next(z.region for z in point.zones if z.kind == "spillover")
    on_essential = explain({f"{essential}-left": 6})
    on_spillover = explain({f"{spillover}-left": 6})

    def score(result):
        return next(c.score for c in result.candidates if c.trigger_point == point.id)

    assert score(on_essential) > score(on_spillover)


def test_pain_free_essential_zones_count_against_a_candidate():
    point = "gluteus-medius-posterior"
    partial = explain({"si-joint-left": 6})
    fuller = explain({"si-joint-left": 6, "iliac-crest-left": 6})
    before = next(c for c in partial.candidates if c.trigger_point == point)
    after = next(c for c in fuller.candidates if c.trigger_point == point)
    assert "iliac-crest-left" in before.free_essential
    assert after.score > before.score


def test_more_intense_pain_in_its_zone_raises_a_candidate():
    def score(intensity):
        result = explain({"hip-lateral-left": intensity})
        return max(c.score for c in result.candidates if c.muscle == "quadratus-lumborum")

    assert score(9) > score(5) > score(1)


def test_a_trigger_point_that_reproduces_the_pain_comes_first():
    drawing = {"buttock-upper-left": 7, "si-joint-left": 5}
    finding = parse_finding("piriformis-medial:left=tender,referral", MODEL)
    result = explain(drawing, [finding])
    assert result.candidates[0].trigger_point == "piriformis-medial"
    assert result.candidates[0].findings[0][1] > 0


def test_a_palpated_point_that_is_not_tender_drops():
    drawing = {"buttock-upper-left": 7, "si-joint-left": 5}
    before = explain(drawing)
    leader = before.candidates[0]
    finding = parse_finding(f"{leader.trigger_point}:{leader.side}=not-tender", MODEL)
    after = explain(drawing, [finding])
    assert competition_rank(after, leader.trigger_point) > 1
    dropped = next(c for c in after.candidates if c.trigger_point == leader.trigger_point)
    assert dropped.score < leader.score


def test_a_positive_movement_test_raises_the_muscles_it_implicates_on_that_side():
    test_id, muscles = next(iter(MODEL.tests.items()))
    muscle = muscles[0]
    point = next(tp for tp in KB.trigger_points.values() if tp.muscle == muscle)
    region = (
        f"{point.zones[0].region}-left"
        if f"{point.zones[0].region}-left" in KB.regions
        else point.zones[0].region
    )
    drawing = {region: 5}
    plain = explain(drawing, top=None)
    tested = explain(drawing, [parse_finding(f"{test_id}:left=positive", MODEL)], top=None)

    def best(result):
        return max(c.score for c in result.candidates if c.muscle == muscle and c.side != "right")

    assert best(tested) > best(plain)


def test_the_cover_explains_every_explainable_painful_region_with_as_few_muscles_as_possible():
    drawing = {
        "lumbar-lower-left": 7,
        "lumbar-lower-right": 7,
        "hip-lateral-right": 5,
        "thigh-posterior-proximal-left": 4,
        "abdomen-upper-left": 3,
    }
    result = explain(drawing)
    covered = {r for item in result.cover for r in item.explains}
    assert covered | set(result.unexplained) == set(drawing)
    assert len(result.cover) <= brute_force_min_cover(drawing)


def brute_force_min_cover(drawing):
    painful = set(drawing)
    units = {}
    for c in range(len(MODEL.cand_point)):
        unit = MODEL.units[MODEL.cand_unit[c]]
        regions = {MODEL.regions[r] for r in range(len(MODEL.regions)) if MODEL.pattern[c, r]}
        units.setdefault(unit, set()).update(regions & painful)
    target = set().union(*units.values()) & painful
    useful = [u for u in units.values() if u]
    for size in range(0, len(useful) + 1):
        for combo in itertools.combinations(useful, size):
            if set().union(*combo) >= target:
                return size
    raise AssertionError("no cover")


def test_regions_no_trigger_point_refers_to_are_said_plainly():
    # every region of the shipped map is reached by some pattern: leave out the points
    # of the head and neck muscles to get a region that none reaches
    head = {"temporalis", "trapezius", "sternocleidomastoid", "semispinalis-capitis",
            "splenius-cervicis", "suboccipitals"}  # fmt: skip
    entries = dict(KB.entries)
    entries["trigger_points"] = {
        k: tp for k, tp in KB.trigger_points.items() if tp.muscle not in head
    }
    using = Scorer(compile_model(dataclasses.replace(KB, entries=entries)))
    result = explain({"temple-left": 5, "lumbar-lower-left": 6}, using=using)
    assert result.unexplained == ("temple-left",)
    assert explain({"temple-left": 5}).unexplained == ()


def test_a_cover_over_more_than_64_muscle_sides_names_only_muscles_that_explain_pain():
    # the units (muscle, side) no longer fit one 64-bit word: a cover whose units all
    # lie in the second word must not gain a phantom unit from the empty first word
    assert len(MODEL.units) > 64
    for drawing in (
        {"temple-right": 6, "neck-back-right": 4},
        {"jaw-left": 6, "ear-left": 5},
        {"lumbar-lower-left": 6, "buttock-upper-left": 4},
    ):
        result = explain(drawing)
        assert result.cover, drawing
        assert all(item.explains for item in result.cover), result.cover
        assert set().union(*(item.explains for item in result.cover)) == set(drawing)


def test_an_empty_drawing_gives_no_candidates_and_says_why():
    result = explain({})
    assert result.candidates == () and result.cover == ()
    assert "empty" in result.message
    assert explain({"sacrum": 0}).message == result.message


def test_an_unknown_region_is_named_in_the_error():
    with pytest.raises(InputError, match=r"unknown region 'buttock-uper-left'.*buttock-upper-left"):
        explain({"buttock-uper-left": 5})


@pytest.mark.parametrize("bad", [11, -1, 2.5, "a lot"])
def test_an_intensity_outside_0_to_10_is_named_in_the_error(bad):
    with pytest.raises(InputError, match="intensity of 'sacrum' must be"):
        explain({"sacrum": bad})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("piriformis-lateral=tender", "say which side"),
        ("piriformis-lateral:up=tender", "side must be left or right"),
        ("piriformis-lateral:left=sore", "result sore is not one of"),
        ("piriformis-lateral:left=tender,not-tender", "contradict"),
        ("piriformus-lateral:left=tender", "did you mean 'piriformis-lateral'"),
        ("piriformis-lateral:left", "must look like"),
    ],
)
def test_a_bad_finding_is_refused_with_a_clear_message(text, message):
    with pytest.raises(InputError, match=message):
        parse_finding(text, MODEL)


def test_every_trigger_point_ranks_near_the_top_for_a_drawing_of_its_essential_zone():
    """Self-consistency. Ties share a rank: points with identical essential zones (several
    muscles refer only to the coccyx, say) cannot be told apart by a drawing alone."""

    def essential(tp_id):
        return frozenset(z.region for z in KB.trigger_points[tp_id].zones if z.kind == "essential")

    misses = []
    for point in KB.trigger_points.values():
        pattern = referral_pattern(KB, point, "left")
        drawing = {r: 6 for r, kind in pattern.items() if kind == "essential"}
        result = explain(drawing, top=None)
        # With the whole body many points share one essential zone (the front of the
        # shoulder, say): only points with a different essential zone count against it.
        twins = {p for p in KB.trigger_points if essential(p) == essential(point.id)}
        same_muscle = [c.trigger_point for c in result.candidates if c.muscle == point.muscle]
        rank = min(competition_rank_among(result, p, twins) for p in same_muscle)
        if rank > 3:
            misses.append((point.id, rank))
    assert misses == []


def test_a_batch_gives_the_same_answers_as_one_drawing_at_a_time():
    drawings = [
        {"buttock-upper-left": 7, "si-joint-left": 5},
        {"lumbar-lower-right": 3, "hip-lateral-right": 8, "thigh-lateral-proximal-right": 6},
        {},
        {"sacrum": 4, "coccyx": 6},
    ]
    batch = explain_many(drawings)
    rows = list(rows_as_json(batch))
    for i, drawing in enumerate(drawings):
        assert rows[i] == explain(drawing).as_json() == build(batch, i).as_json()


def test_the_json_has_the_stable_shape():
    data = explain({"si-joint-right": 5}).as_json()
    assert set(data) >= {"candidates", "cover", "unexplained"}
    first = data["candidates"][0]
    assert {"muscle", "trigger_point", "side", "score", "explains", "unexplained"} <= set(first)
    assert 0 < first["score"] < 1
    assert all(isinstance(m, str) for m in data["cover"])


@pytest.mark.parametrize("top", [None, 1, 3, 10, 40, 1000])
def test_the_ranking_of_many_drawings_lists_exactly_the_touched_points_best_first(top):
    """Fast ranking (keys packed per row) against the plain one (every row sorted by
    value, near ties by candidate), on drawings with exact and near ties and -0.0."""
    import numpy as np

    from myomap.core.referral.engine import _rank_exactly, rank

    rng = np.random.default_rng(11)
    regions = MODEL.regions
    drawings = [
        {regions[i]: int(rng.integers(0, 11)) for i in rng.choice(len(regions), size=k)}
        for k in rng.integers(0, 12, size=1500)
    ]
    batch = explain_many(drawings)
    logit, listed = batch.logit.copy(), batch.listed.copy()
    logit[::7, 5] = logit[::7, 9]  # exact ties
    logit[::11, 3] = logit[::11, 4] + 1e-12  # near ties
    logit[::17, 2] = -0.0
    listed[::29, :40] = True
    order, counts = rank(logit, listed, top)
    assert counts.tolist() == listed.sum(axis=1).tolist()
    plain = _rank_exactly(np.where(listed, -logit, np.inf))
    for row in range(len(drawings)):
        shown = min(int(counts[row]), order.shape[1])
        assert order[row, :shown].tolist() == plain[row, :shown].tolist(), row
