"""Validating what the reasoner is given: a pain drawing and examination findings.

A drawing maps concrete region ids to an intensity 0..10 (0 = marked pain-free). A
finding is written `TARGET[:SIDE]=RESULT[,RESULT...]`:

    quadratus-lumborum-superficial-caudal:left=tender,referral
    gluteus-medius-posterior:right=not-tender
    faber:left=positive

TARGET is a trigger point id (results: referral, tender, taut-band, twitch, jump,
not-tender) or an examination test id (results: positive, negative).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from myomap.core.referral import params
from myomap.core.referral.compiled import IntArray, Model


class InputError(ValueError):
    """Bad input, with a message that names what is wrong."""


@dataclass(frozen=True)
class Finding:
    target: str
    side: str | None  # left | right | None (both sides / side-less)
    results: frozenset[str]

    def __str__(self) -> str:
        side = f":{self.side}" if self.side else ""
        return f"{self.target}{side}={','.join(sorted(self.results))}"


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_region(text: str, model: Model) -> tuple[str, int]:
    """`ID` or `ID:INTENSITY` -> (region id, intensity); a bare id means intensity 5."""
    region, _, raw = text.strip().partition(":")
    intensity = parse_intensity(region, raw or "5")
    check_region(region, model)
    return region, intensity


def parse_intensity(region: str, raw: object) -> int:
    try:
        value = float(str(raw)) if not isinstance(raw, (int, float)) else float(raw)
    except ValueError:
        raise InputError(f"intensity of {region!r} must be a number 0-10, not {raw!r}") from None
    if not 0 <= value <= 10 or value != int(value):
        raise InputError(f"intensity of {region!r} must be a whole number 0-10, not {raw!r}")
    return int(value)


def check_region(region: str, model: Model) -> None:
    if region not in model.region_index:
        hint = _suggest(region, model.regions)
        raise InputError(f"unknown region {region!r}{hint}; `myomap regions` lists them all")


def check_drawing(drawing: Mapping[str, object], model: Model) -> dict[str, int]:
    """A clean copy of the drawing, or InputError naming the first bad region or value."""
    clean: dict[str, int] = {}
    for region, raw in drawing.items():
        check_region(region, model)
        clean[region] = parse_intensity(region, raw)
    return clean


@dataclass(frozen=True, eq=False)
class Drawings:
    """N pain drawings, sparse: row i's painful regions are `region[indptr[i]:indptr[i+1]]`
    (ascending) with intensities `value[...]` (1..10). Pain-free (0) marks are dropped."""

    indptr: IntArray  # (N + 1,)
    region: IntArray  # (E,)
    value: IntArray  # (E,)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    @property
    def row(self) -> IntArray:
        """The drawing of each entry."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.indptr))

    def slice(self, start: int, end: int) -> Drawings:
        """Drawings start..end-1."""
        first, last = int(self.indptr[start]), int(self.indptr[end])
        return Drawings(
            self.indptr[start : end + 1] - first, self.region[first:last], self.value[first:last]
        )

    def painful(self, row: int) -> dict[int, int]:
        start, end = int(self.indptr[row]), int(self.indptr[row + 1])
        regions, values = self.region[start:end].tolist(), self.value[start:end].tolist()
        return dict(zip(regions, values, strict=True))


def collect(drawings: Sequence[Mapping[str, object]], model: Model) -> Drawings:
    """Validate many drawings at once (as `check_drawing` would, with its messages).

    The common case (known region ids, whole-number intensities) is checked as arrays;
    anything else goes through `check_drawing`, drawing by drawing, for its exact message.
    """
    index = model.region_index
    sizes = np.fromiter(map(len, drawings), dtype=np.int64, count=len(drawings))
    try:
        region = np.fromiter(map(index.__getitem__, chain.from_iterable(drawings)), dtype=np.int64)
        value = np.array(list(chain.from_iterable(d.values() for d in drawings)))
        fast = len(value) == 0 or value.dtype.kind in "iub"
        if fast and len(value):
            fast = bool(value.min() >= 0) and bool(value.max() <= 10)
    except (KeyError, TypeError, ValueError, OverflowError):
        fast = False
    if not fast:
        clean = [check_drawing(d, model) for d in drawings]
        sizes = np.fromiter(map(len, clean), dtype=np.int64, count=len(clean))
        region = np.fromiter(map(index.__getitem__, chain.from_iterable(clean)), dtype=np.int64)
        value = np.fromiter(chain.from_iterable(d.values() for d in clean), dtype=np.int64)
    return _sparse(sizes, region, value.astype(np.int64, copy=False), len(model.regions))


def _sparse(sizes: IntArray, region: IntArray, value: IntArray, regions: int) -> Drawings:
    row = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    keep = value > 0
    row, region, value = row[keep], region[keep], value[keep]
    order = np.argsort(row * regions + region, kind="stable")
    indptr = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(sizes)), out=indptr[1:])
    return Drawings(indptr, region[order], value[order])


def from_matrix(intensities: npt.NDArray[np.float64]) -> Drawings:
    """(N, R) intensities -> Drawings."""
    row, region = np.nonzero(intensities)
    sizes = np.bincount(row, minlength=intensities.shape[0])
    value = intensities[row, region].astype(np.int64)
    return _sparse(sizes, region.astype(np.int64), value, intensities.shape[1])


def parse_finding(text: str, model: Model) -> Finding:
    target_side, sep, results_text = text.strip().partition("=")
    if not sep or not results_text:
        raise InputError(f"finding {text!r} must look like TARGET[:SIDE]=RESULT[,RESULT]")
    target, _, side = target_side.partition(":")
    results = frozenset(r.strip() for r in results_text.split(",") if r.strip())
    return check_finding(Finding(target, side or None, results), model)


def check_finding(finding: Finding, model: Model) -> Finding:
    if finding.side not in (None, "left", "right"):
        raise InputError(
            f"finding {finding.target!r}: side must be left or right, not {finding.side!r}"
        )
    if finding.target in model.tests:
        allowed = params.TEST_RESULTS
    elif finding.target in set(model.cand_point):
        allowed = params.TRIGGER_POINT_RESULTS
        sides = {
            s for p, s in zip(model.cand_point, model.cand_side, strict=True) if p == finding.target
        }
        if finding.side is None and sides & {"left", "right"}:
            raise InputError(
                f"finding {finding.target!r}: say which side was palpated (:left or :right)"
            )
    else:
        hint = _suggest(finding.target, [*model.cand_point, *model.tests])
        raise InputError(f"unknown trigger point or test {finding.target!r}{hint}")
    wrong = sorted(finding.results - allowed)
    if wrong or not finding.results:
        raise InputError(
            f"finding {finding.target!r}: result {', '.join(wrong) or '(none)'} is not one of "
            f"{', '.join(sorted(allowed))}"
        )
    if {"tender", "not-tender"} <= finding.results:
        raise InputError(f"finding {finding.target!r}: tender and not-tender contradict each other")
    return finding


def adjustments(findings: Iterable[Finding], model: Model) -> dict[int, list[tuple[str, float]]]:
    """Candidate index -> [(finding text, log-likelihood ratio)] for the given findings."""
    out: dict[int, list[tuple[str, float]]] = {}
    for finding in findings:
        if finding.target in model.tests:
            muscles = set(model.tests[finding.target])
            delta = params.TEST_POSITIVE if "positive" in finding.results else params.TEST_NEGATIVE
            hits = [
                c
                for c, (muscle, side) in enumerate(
                    zip(model.cand_muscle, model.cand_side, strict=True)
                )
                if muscle in muscles
                and (finding.side is None or side in (finding.side, "bilateral", "midline"))
            ]
        else:
            delta = sum(params.FINDING_WEIGHT[r] for r in finding.results)
            hits = [
                c
                for c, (point, side) in enumerate(
                    zip(model.cand_point, model.cand_side, strict=True)
                )
                if point == finding.target
                and (finding.side is None or side in (finding.side, "bilateral", "midline"))
            ]
        for c in hits:
            out.setdefault(c, []).append((str(finding), delta))
    return out


RESULT_WORDS = {
    "referral": "reproduces the pain",
    "tender": "tender",
    "not-tender": "not tender",
    "taut-band": "taut band",
    "twitch": "local twitch",
    "jump": "jump sign",
    "positive": "positive",
    "negative": "negative",
}


def describe(text: str, test_names: Mapping[str, str]) -> str:
    """A finding's text in words, from the same format `parse_finding` reads.

    >>> describe("piriformis-medial:left=tender,referral", {})
    'Palpation: tender, reproduces the pain'
    >>> describe("faber:left=positive", {"faber": "FABER test"})
    'FABER test (left): positive'
    """
    target_side, _, results = text.partition("=")
    target, _, side = target_side.partition(":")
    words = ", ".join(RESULT_WORDS.get(r, r) for r in results.split(",") if r)
    if target in test_names:
        return f"{test_names[target]}{f' ({side})' if side else ''}: {words}"
    return f"Palpation: {words}"
