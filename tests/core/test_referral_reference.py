"""The fast reasoner against a plain one written here, from the formula in
docs/reasoning.md: for random drawings (with findings, exact ties, an empty drawing and
a whole-body drawing), `explain`, `explain_many` and the lines `myomap explain --batch`
writes must give the same candidates, scores, order, cover and region lists.

The reference loops over candidates and regions one at a time and finds the cover by
trying every set of muscles of the smallest size that holds a muscle for each painful
region: slow, and plainly right.
"""

from __future__ import annotations

import functools
import json
import math
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myomap.cli.main import main
from myomap.core.referral import explain, explain_many, params, parse_finding, scorer
from myomap.core.referral.explanation import EMPTY_MESSAGE, build
from myomap.core.referral.jsonl import Renderer

MODEL = scorer().model
REGIONS = MODEL.regions
CANDS = range(len(MODEL.cand_point))
KINDS = ("essential", "spillover", "local")
# Each candidate's pattern: region index -> zone kind.
PATTERN = [
    {
        r: kind
        for kind, matrix in zip(KINDS, (MODEL.essential, MODEL.spillover, MODEL.local), strict=True)
        for r in range(len(REGIONS))
        if matrix[c, r]
    }
    for c in CANDS
]
PAINFUL = {
    "essential": params.PAINFUL_ESSENTIAL,
    "spillover": params.PAINFUL_SPILLOVER,
    "local": params.PAINFUL_LOCAL,
}
FREE = {
    "essential": params.FREE_ESSENTIAL,
    "spillover": params.FREE_SPILLOVER,
    "local": params.FREE_LOCAL,
}
UNITS = range(len(MODEL.units))
UNIT_CANDS = [[c for c in CANDS if MODEL.cand_unit[c] == u] for u in UNITS]
UNIT_REGIONS = [{r for c in UNIT_CANDS[u] for r in PATTERN[c]} for u in UNITS]
COVERABLE = set().union(*UNIT_REGIONS)
TIE = 1e-9
WHOLE_BODY = {r: 5 for r in REGIONS}


# ------------------------------------------------------------------ the reference
def finding_effects(findings):
    """Candidate -> [(finding text, log-likelihood ratio)], in the order given."""
    effects = {}
    for f in findings:
        if f.target in MODEL.tests:
            delta = params.TEST_POSITIVE if "positive" in f.results else params.TEST_NEGATIVE
            hits = [c for c in CANDS if MODEL.cand_muscle[c] in MODEL.tests[f.target]]
        else:
            delta = sum(params.FINDING_WEIGHT[r] for r in f.results)
            hits = [c for c in CANDS if MODEL.cand_point[c] == f.target]
        for c in hits:
            if f.side is None or MODEL.cand_side[c] in (f.side, "bilateral", "midline"):
                effects.setdefault(c, []).append((str(f), delta))
    return effects


def reference_logit(c, intensity, effects):
    evidence = 0.0
    for r, kind in PATTERN[c].items():
        if intensity.get(r, 0) > 0:
            scale = params.INTENSITY_FLOOR + params.INTENSITY_SLOPE * intensity[r]
            evidence += PAINFUL[kind] * scale
        else:
            evidence += FREE[kind]
    return (
        MODEL.prior[c] + MODEL.weight[c] * evidence + sum(delta for _, delta in effects.get(c, ()))
    )


def ranked(logits, listed):
    """Highest logit first; logits closer than TIE are a tie, broken by candidate order."""
    by_value = sorted(listed, key=lambda c: -logits[c])
    runs, out = [], []
    for c in by_value:
        if runs and logits[runs[-1][-1]] - logits[c] <= TIE:
            runs[-1].append(c)
        else:
            runs.append([c])
    for run in runs:
        out.extend(sorted(run))
    return out


def reference_cover(painful, logits):
    """The smallest sets of muscles (per side) explaining every coverable painful region;
    of those, the highest total score (within TIE), then the smallest list of units."""
    targets = set(painful) & COVERABLE
    if not targets:
        return []
    useful = [u for u in UNITS if UNIT_REGIONS[u] & targets]
    score = {u: max(sigmoid(logits[c]) for c in UNIT_CANDS[u]) for u in useful}
    for size in range(1, len(useful) + 1):
        covers = sorted(covers_of_size(targets, useful, size))
        if covers:
            best = max(sum(score[u] for u in units) for units in covers)
            return list(min(u for u in covers if sum(score[x] for x in u) >= best - TIE))
    raise AssertionError("every coverable region has a muscle")


def covers_of_size(targets, useful, size):
    """Every set of `size` units covering `targets` (empty when none has that size)."""
    return {tuple(sorted(c)) for c in smallest_covers(frozenset(targets), tuple(useful))
            if len(c) == size}  # fmt: skip


@functools.cache
def smallest_covers(left, useful):
    """All the smallest sets of units covering `left`. Whatever the set, it holds a unit
    covering the smallest region of `left`, so trying each such unit in turn and then
    covering what it leaves finds them all (trying every combination of the whole
    body's muscles would take hours)."""
    if not left:
        return frozenset({frozenset()})
    region = min(left)
    found: set[frozenset[int]] = set()
    for u in useful:
        if region in UNIT_REGIONS[u]:
            for rest in smallest_covers(left - UNIT_REGIONS[u], useful):
                found.add(rest | {u})
    low = min(len(c) for c in found)
    return frozenset(c for c in found if len(c) == low)


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def reference(drawing, findings=(), top=None, *, cover=True):
    """The answer in `Explanation.as_json`'s shape, with scores unrounded (and without
    the cover when `cover` is false)."""
    index = MODEL.region_index
    intensity = {index[r]: v for r, v in drawing.items() if v > 0}
    effects = finding_effects(findings)
    if not intensity and not effects:
        return {
            "candidates": [],
            "cover": [],
            "cover_detail": [],
            "unexplained": [],
            "message": EMPTY_MESSAGE,
        }
    by_pain = sorted(intensity, key=lambda r: (-intensity[r], r))
    logits = [reference_logit(c, intensity, effects) for c in CANDS]
    listed = [c for c in CANDS if c in effects or set(PATTERN[c]) & set(intensity)]
    candidates = []
    for c in ranked(logits, listed)[:top]:
        zones = {kind: [REGIONS[r] for r in by_pain if PATTERN[c].get(r) == kind] for kind in KINDS}
        candidates.append(
            {
                "muscle": MODEL.cand_muscle[c],
                "trigger_point": MODEL.cand_point[c],
                "side": MODEL.cand_side[c],
                "score": sigmoid(logits[c]),
                "explains": zones["essential"] + zones["spillover"] + zones["local"],
                "unexplained": [REGIONS[r] for r in by_pain if r not in PATTERN[c]],
                **zones,
                "pain_free_essential": [
                    REGIONS[r]
                    for r, kind in sorted(PATTERN[c].items())
                    if kind == "essential" and r not in intensity
                ],
                "findings": [
                    {"finding": text, "effect": round(delta, 2)}
                    for text, delta in effects.get(c, ())
                ],
            }
        )
    detail = sorted(
        (
            {
                "muscle": MODEL.units[u][0],
                "side": MODEL.units[u][1],
                "explains": [REGIONS[r] for r in by_pain if r in UNIT_REGIONS[u]],
            }
            for u in (reference_cover(intensity, logits) if cover else ())
        ),
        key=lambda item: (-len(item["explains"]), item["muscle"], item["side"]),
    )
    return {
        "candidates": candidates,
        "cover": [item["muscle"] for item in detail],
        "cover_detail": detail,
        "unexplained": [REGIONS[r] for r in by_pain if r not in COVERABLE],
    }


def same(got, expected, *, rounded):
    """`got` (from the reasoner) equals the reference; scores to 4 places when rounded."""
    assert len(got["candidates"]) == len(expected["candidates"])
    for mine, theirs in zip(got["candidates"], expected["candidates"], strict=True):
        score = theirs["score"]
        if rounded:
            assert mine["score"] == round(score, 4), (mine, theirs)
        else:
            assert math.isclose(mine["score"], score, rel_tol=0, abs_tol=1e-12), (mine, theirs)
        assert {**mine, "score": 0} == {**theirs, "score": 0}
    assert {**got, "candidates": []} == {**expected, "candidates": []}


# ------------------------------------------------------------------ the drawings
def tied(rng):
    """A drawing that mirrors itself: left and right candidates tie exactly."""
    drawing = {}
    for r in rng.sample(range(len(REGIONS)), rng.randint(1, 3)):
        value = rng.randint(1, 10)
        drawing[REGIONS[r]] = drawing[REGIONS[MODEL.mirror[r]]] = value
    return drawing


def random_findings(rng):
    if rng.random() < 0.8:
        return []
    c = rng.choice(CANDS)
    side = "" if MODEL.cand_side[c] in ("bilateral", "midline") else f":{MODEL.cand_side[c]}"
    texts = [f"{MODEL.cand_point[c]}{side}=" + rng.choice(["referral", "tender", "not-tender"])]
    if MODEL.tests and rng.random() < 0.5:
        test = rng.choice(sorted(MODEL.tests))
        texts.append(
            f"{test}:{rng.choice(['left', 'right'])}={rng.choice(['positive', 'negative'])}"
        )
    return texts


def seeded_drawings(count=240, seed=2026):
    rng = random.Random(seed)
    test = sorted(MODEL.tests)[0]
    cases = [({}, []), (WHOLE_BODY, []), ({"sacrum": 0}, []), ({}, [f"{test}:left=positive"])]
    for _ in range(count):
        if rng.random() < 0.25:
            drawing = tied(rng)
        else:
            picked = rng.sample(REGIONS, rng.randint(1, 6))
            drawing = {r: rng.randint(0, 10) for r in picked}
        cases.append((drawing, random_findings(rng)))
    return cases


# ------------------------------------------------------------------ the tests
def test_explain_and_explain_many_agree_with_the_reference():
    cases = seeded_drawings()
    parsed = [[parse_finding(t, MODEL) for t in texts] for _, texts in cases]
    batch = explain_many([d for d, _ in cases], parsed)
    for i, ((drawing, _), findings) in enumerate(zip(cases, parsed, strict=True)):
        one = explain(drawing, findings)
        assert one.as_json() == build(batch, i).as_json()
        # The whole-body drawing has far too many sets of muscles to try: the next test.
        expected = reference(drawing, findings, cover=drawing is not WHOLE_BODY)
        if drawing is WHOLE_BODY:
            expected |= {k: one.as_json()[k] for k in ("cover", "cover_detail")}
        same(one.as_json(), expected, rounded=True)
        for got, want in zip(one.candidates, expected["candidates"], strict=True):
            assert math.isclose(got.score, want["score"], rel_tol=0, abs_tol=1e-12)


def test_a_whole_body_drawing_ranks_like_the_reference_and_covers_every_region():
    result = explain(WHOLE_BODY).as_json()
    expected = reference(WHOLE_BODY, cover=False)
    same({**result, "cover": [], "cover_detail": []}, expected, rounded=True)
    covered = [r for item in result["cover_detail"] for r in item["explains"]]
    assert set(covered) == {REGIONS[r] for r in COVERABLE}
    assert set(result["unexplained"]) == set(REGIONS) - set(covered)
    assert len(result["candidates"]) == len(CANDS)


def test_the_batch_lines_agree_with_the_reference(tmp_path):
    cases = seeded_drawings(count=160, seed=7)
    source = tmp_path / "drawings.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": i, "regions": d, "findings": f}) + "\n"
            for i, (d, f) in enumerate(cases)
        )
    )
    out = tmp_path / "results.jsonl"
    for top in (0, 3):
        assert main(["explain", "--batch", str(source), "--out", str(out), "--top", str(top)]) == 0
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert [(x["line"], x["id"]) for x in lines] == [(i + 1, i) for i in range(len(cases))]
        for (drawing, texts), got in zip(cases, lines, strict=True):
            findings = [parse_finding(t, MODEL) for t in texts]
            got = {k: v for k, v in got.items() if k not in ("line", "id")}
            expected = reference(drawing, findings, top or None, cover=drawing is not WHOLE_BODY)
            if drawing is WHOLE_BODY:  # its cover: the test above
                expected |= {k: got[k] for k in ("cover", "cover_detail")}
            same(got, expected, rounded=True)


drawings = st.dictionaries(st.sampled_from(REGIONS), st.integers(0, 10), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(drawings, min_size=1, max_size=5), st.integers(0, 12))
def test_any_drawings_agree_with_the_reference(batch_drawings, top):
    batch = explain_many(batch_drawings)
    heads = [b'{"line":%d,' % i for i in range(len(batch_drawings))]
    lines = renderer(top or None).lines(batch, heads).splitlines()
    for i, drawing in enumerate(batch_drawings):
        expected = reference(drawing, (), top or None)
        same(build(batch, i, top or None).as_json(), expected, rounded=True)
        same(explain(drawing, top=top or None).as_json(), expected, rounded=True)
        line = json.loads(lines[i])
        assert line.pop("line") == i
        same(line, expected, rounded=True)


@functools.cache
def renderer(top):
    return Renderer(MODEL, top)
