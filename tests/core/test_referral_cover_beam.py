"""The cover search keeps at most `BEAM` partial covers per drawing at each depth, so a
whole-body drawing over the whole-body knowledge base is answered in well under a second
instead of minutes. Below the bound (every drawing of a few dozen regions) the cover is
the exact smallest one; above it, it still explains every region any muscle can explain."""

from __future__ import annotations

import random

import pytest

import myomap.core.referral.cover as cover
from myomap.core.referral import explain, scorer

MODEL = scorer().model
REGIONS = list(MODEL.regions)


def explained(result: object) -> set[str]:
    return {r for item in result.as_json()["cover_detail"] for r in item["explains"]}  # type: ignore[attr-defined]


def coverable(drawing: dict[str, int]) -> set[str]:
    unexplained = set(explain(drawing).as_json()["unexplained"])
    return set(drawing) - unexplained


@pytest.mark.parametrize("seed", range(6))
def test_below_the_bound_the_cover_is_the_exact_one(seed: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    drawing = {r: rng.randint(1, 9) for r in rng.sample(REGIONS, rng.choice([3, 10, 25]))}
    bounded = explain(drawing).cover
    monkeypatch.setattr(cover, "BEAM", 10**9)
    assert explain(drawing).cover == bounded


def test_a_whole_body_drawing_is_answered_and_its_cover_explains_what_can_be() -> None:
    drawing = {r: 6 for r in REGIONS}
    result = explain(drawing)
    assert result.cover and explained(result) == coverable(drawing)


def test_past_the_bound_the_cover_still_explains_every_region_and_is_no_smaller(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    drawing = {r: 5 for r in random.Random(7).sample(REGIONS, 40)}
    exact = explain(drawing)
    monkeypatch.setattr(cover, "BEAM", 8)
    tight = explain(drawing)
    assert explained(tight) == explained(exact) == coverable(drawing)
    assert len(tight.cover) >= len(exact.cover)


def test_equally_good_covers_pick_the_smallest_list_of_muscle_sides_in_any_word() -> None:
    """Of states equal in total (within TIE), the one with the lexically smallest list of
    units wins, wherever its units' bits lie (three words of 64 units here), and of the
    same set the first state. States compared hold as many units (the search's depth)."""
    import numpy as np

    from myomap.core.referral.cover import TIE, _best

    rng = np.random.default_rng(5)
    units = 3 * 64
    sizes = rng.integers(1, 7, size=300)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    count = int(sizes.sum())
    total = rng.choice([1.0, 1.0 + TIE / 4, 0.5], size=count)
    sets = []
    pool = rng.choice(units, size=6, replace=False)  # few units: sets repeat and tie often
    for _ in range(count):
        sets.append(sorted(rng.choice(pool, size=2, replace=False).tolist()))
    words = [np.zeros(count, dtype=np.uint64) for _ in range(3)]
    for i, chosen in enumerate(sets):
        for u in chosen:
            words[u // 64][i] |= np.uint64(1) << np.uint64(63 - u % 64)
    got = _best(starts, total, words).tolist()
    want = []
    for first, size in zip(starts.tolist(), sizes.tolist(), strict=True):
        group = range(first, first + size)
        top = max(total[i] for i in group)
        eligible = [i for i in group if total[i] >= top - TIE]
        want.append(min(eligible, key=lambda i: (sets[i], i)))
    assert got == want
