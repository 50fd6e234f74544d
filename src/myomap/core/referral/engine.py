"""Score every candidate trigger point against many pain drawings at once.

For candidate c and drawing d (docs/reasoning.md has worked examples):

    logit(c, d) = prior(c)
                + weight(c) * [ sum over painful regions r in c's pattern:
                                    LR_painful(kind) * (0.6 + 0.04 * intensity(r)) - LR_free(kind)
                              + sum over all regions r in c's pattern: LR_free(kind) ]
                + sum of c's examination findings

    score(c, d) = 1 / (1 + exp(-logit))

Only candidates whose pattern touches the drawing (or that have a finding) are listed.

Drawings touch few regions and regions few patterns, so the sum is gathered, not
multiplied: each painful region adds its precomputed row (one per intensity) to the few
candidates whose pattern holds it, in ascending region order, onto `base` (every pattern
region pain-free).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from itertools import pairwise

import numpy as np

from myomap.core.referral import params
from myomap.core.referral.compiled import BoolArray, FloatArray, IntArray, Model, UIntArray
from myomap.core.referral.cover import TIE, CoverIndex, minimal_covers
from myomap.core.referral.inputs import Drawings, Finding, adjustments, from_matrix

_TOP_BIT = np.uint64(1 << 63)
BLOCK = 4096  # drawings reasoned about together


class Scorer:
    """The model's evidence, gathered per region. Build once per model."""

    def __init__(self, model: Model) -> None:
        self.model = model
        w = model.weight[:, None]
        # Per painful region: evidence for, minus the evidence against it would have had.
        gain = (
            model.essential * params.PAINFUL_ESSENTIAL
            + model.spillover * params.PAINFUL_SPILLOVER
            + model.local * params.PAINFUL_LOCAL
        )
        free = (
            model.essential * params.FREE_ESSENTIAL
            + model.spillover * params.FREE_SPILLOVER
            + model.local * params.FREE_LOCAL
        )
        self.painful_gain: FloatArray = (w * gain).T.astype(np.float64)  # (R, C)
        self.free_refund: FloatArray = (w * free).T.astype(np.float64)  # (R, C)
        self.base: FloatArray = model.prior + (w[:, 0] * free.sum(axis=1))  # all pain-free
        region, cand = np.nonzero(model.pattern.T)  # by region, then candidate
        self.region_ptr: IntArray = np.zeros(len(model.regions) + 1, dtype=np.int64)
        np.cumsum(np.bincount(region, minlength=len(model.regions)), out=self.region_ptr[1:])
        self.region_cand: IntArray = cand.astype(np.int64)
        # What a painful region at intensity i (0..10) adds to each candidate it touches.
        scale = params.INTENSITY_FLOOR + params.INTENSITY_SLOPE * np.arange(11.0)
        gained = self.painful_gain[region, cand][:, None] * scale[None, :]
        self.region_gain: FloatArray = (gained - self.free_refund[region, cand][:, None]).ravel()
        self.cover = CoverIndex(model)

    def touches(self, drawings: Drawings) -> tuple[IntArray, IntArray, FloatArray]:
        """For each (painful region, candidate whose pattern holds it), in drawing then
        region order: the flat index d * C + c, the candidate, and what it adds."""
        start = self.region_ptr[drawings.region]
        width = self.region_ptr[drawings.region + 1] - start
        pos = np.arange(int(width.sum())) + np.repeat(start - (np.cumsum(width) - width), width)
        cand = self.region_cand[pos]
        flat = np.repeat(drawings.row * len(self.base), width) + cand
        added = self.region_gain[pos * 11 + np.repeat(drawings.value, width)]
        return flat, cand, added

    def logits(
        self, drawings: Drawings, out: FloatArray | None = None
    ) -> tuple[FloatArray, BoolArray]:
        """(N, C) log-odds (into `out` when given), and whether each candidate's pattern
        touches the drawing. Each logit is `base`, then each painful region's term added
        in ascending region order."""
        shape = (len(drawings), len(self.base))
        logit = np.empty(shape) if out is None else out
        if not logit.flags.c_contiguous:
            raise ValueError("logits are written into a contiguous array")
        logit[:] = self.base
        flat, _, added = self.touches(drawings)
        np.add.at(logit.reshape(-1), flat, added)  # in input order
        listed = np.zeros(shape, dtype=bool)
        listed.reshape(-1)[flat] = True
        return logit, listed


class Batch:
    """The reasoner's answer for N drawings, as arrays; `Explanation`s are built on demand."""

    def __init__(
        self,
        scorer: Scorer,
        drawings: Drawings,
        logit: FloatArray,
        listed: BoolArray,
        cover_ptr: IntArray,
        cover_units: IntArray,
        finding_notes: list[dict[int, list[tuple[str, float]]]],
    ) -> None:
        self.scorer = scorer
        self.drawings = drawings
        self.logit = logit  # (N, C)
        self.listed = listed  # (N, C)
        self.cover_ptr = cover_ptr  # drawing i's cover: cover_units[cover_ptr[i]:cover_ptr[i+1]]
        self.cover_units = cover_units
        self.finding_notes = finding_notes

    def __len__(self) -> int:
        return len(self.drawings)

    @cached_property
    def covers(self) -> list[list[int]]:
        """Per drawing: the unit indices of its cover, ascending."""
        units: list[int] = self.cover_units.tolist()
        bounds = self.cover_ptr.tolist()
        return [units[a:b] for a, b in pairwise(bounds)]

    @cached_property
    def intensities(self) -> FloatArray:
        """(N, R) intensities 0..10."""
        matrix = np.zeros((len(self), len(self.scorer.model.regions)))
        matrix[self.drawings.row, self.drawings.region] = self.drawings.value
        return matrix

    @cached_property
    def explained(self) -> IntArray:
        """(N, C) how many painful regions lie in each candidate's pattern."""
        flat, _, _ = self.scorer.touches(self.drawings)
        counts = np.bincount(flat, minlength=self.logit.size)
        return counts.reshape(self.logit.shape).astype(np.int64)

    @cached_property
    def score(self) -> FloatArray:
        return sigmoid(self.logit)

    @cached_property
    def _order(self) -> tuple[IntArray, IntArray]:
        return rank(self.logit, self.listed)

    def ranking(self, row: int) -> list[int]:
        """Listed candidates of one drawing, best first (ties: by candidate order)."""
        order, counts = self._order
        ranked: list[int] = order[row, : counts[row]].tolist()
        return ranked


def sigmoid(logit: FloatArray) -> FloatArray:
    result: FloatArray = 1.0 / (1.0 + np.exp(-logit))
    return result


def rank(logit: FloatArray, listed: BoolArray, top: int | None = None) -> tuple[IntArray, IntArray]:
    """Each row's listed candidates, highest logit first, ties by candidate order:
    (order (N, top or C), how many of each row's are listed); row i's order is its first
    min(count, top) entries (what follows them is not meaningful). Logits closer than
    `TIE` are ties, whatever the rounding of the sums that made them.

    Sorted as one uint64 per listed candidate: the logit's order-preserving bits with the
    candidate number in the lowest bits, so exact ties come out in candidate order. A
    drawing lists a few dozen of the candidates, so the keys of a block of rows are packed
    into as many columns as its longest row needs (the rest of the row all ones: last).
    Rows with near ties are sorted again, by value and then, within each run of values
    closer than `TIE`, by candidate.
    """
    n, c = logit.shape
    width = c if top is None else min(top, c)
    counts = listed.sum(axis=1)
    order = np.zeros((n, width), dtype=np.int64)
    if c == 0:
        return order, counts
    low = np.uint64((1 << max(1, (c - 1).bit_length())) - 1)
    for start in range(0, n, 1024):  # a block at a time: the temporaries stay in cache
        end = min(start + 1024, n)
        block_counts = counts[start:end]
        columns = int(block_counts.max(initial=0))
        if columns == 0:
            continue
        row, cand = np.nonzero(listed[start:end])  # row by row, candidates ascending
        key = np.negative(logit[start:end][row, cand]) + 0.0  # + 0.0 turns -0.0 into 0.0
        bits = key.view(np.uint64)
        flip = bits >> np.uint64(63)
        flip *= np.uint64((1 << 63) - 1)
        flip |= _TOP_BIT
        bits ^= flip  # order-preserving: negative values flip entirely, others their sign
        bits &= ~low
        bits |= cand.astype(np.uint64)  # ties: by candidate
        packed = np.full((end - start, columns), np.uint64(2**64 - 1), dtype=np.uint64)
        before = np.cumsum(block_counts) - block_counts
        packed[row, np.arange(len(row)) - before[row]] = bits
        if width < columns:
            packed.partition(width, axis=1)  # the `width` smallest first, then the next
            head = packed[:, : width + 1]
            head[:, :width].sort(axis=1)
        else:
            packed.sort(axis=1)
            head = packed
        got = (head & low).astype(np.int64)
        # Neighbours whose truncated keys differ by less than TIE might be out of order.
        value = _unkey(head & ~low)
        near = (value[:, 1:] - value[:, :-1] <= TIE) & (got[:, 1:] < got[:, :-1])
        near &= np.arange(1, head.shape[1]) < block_counts[:, None]  # both listed
        shown = min(width, head.shape[1])
        order[start:end, :shown] = got[:, :shown]
        redo = np.flatnonzero(near.any(axis=1))
        if len(redo):
            rows = redo + start
            value = np.where(listed[rows], -logit[rows], np.inf)
            order[rows] = _rank_exactly(value)[:, :width]
    return order, counts


def _unkey(keys: UIntArray) -> FloatArray:
    """Inverse of the order-preserving key (unlisted keys give nan, never near)."""
    flip = (keys >> np.uint64(63)) ^ np.uint64(1)
    flip *= np.uint64((1 << 63) - 1)
    flip |= _TOP_BIT
    result: FloatArray = (keys ^ flip).view(np.float64)
    return result


def _rank_exactly(value: FloatArray) -> IntArray:
    """Rows of values, ascending; runs of values closer than TIE in candidate order."""
    by_value = np.argsort(value, axis=1, kind="stable")
    ordered = np.take_along_axis(value, by_value, axis=1)
    run = np.zeros(value.shape, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        np.cumsum(np.diff(ordered, axis=1) > TIE, axis=1, out=run[:, 1:])
    key = run * value.shape[1] + by_value
    result: IntArray = np.take_along_axis(by_value, np.argsort(key, axis=1), axis=1)
    return result


def run(
    scorer: Scorer,
    drawings: Drawings | FloatArray,
    findings: Sequence[Sequence[Finding]] | None = None,
) -> Batch:
    """Score, list and cover N drawings (as Drawings, or an (N, R) array of intensities).

    Works through the drawings a block at a time, so each step's arrays stay in cache.
    """
    model = scorer.model
    if not isinstance(drawings, Drawings):
        drawings = from_matrix(drawings)
    count, cands = len(drawings), len(model.cand_point)
    logit = np.empty((count, cands))
    listed = np.empty((count, cands), dtype=bool)
    # One shared empty dict for the drawings without findings (never changed in place).
    notes: list[dict[int, list[tuple[str, float]]]] = [{}] * count
    noted: list[int] = []
    for row, row_findings in enumerate(findings or ()):
        if row_findings:
            notes[row] = adjustments(row_findings, model)
            noted.append(row)
    pointers: list[IntArray] = [np.zeros(1, dtype=np.int64)]
    units: list[IntArray] = []
    for start in range(0, count, BLOCK):
        end = min(start + BLOCK, count)
        part = drawings.slice(start, end)
        block_logit, block_listed = scorer.logits(part, logit[start:end])
        for row in (r for r in noted if start <= r < end):
            for c, effects in notes[row].items():
                block_logit[row - start, c] += sum(delta for _, delta in effects)
                block_listed[row - start, c] = True
        cover_ptr, cover_units = minimal_covers(scorer.cover, part, block_logit)
        listed[start:end] = block_listed
        pointers.append(cover_ptr[1:] + sum(len(u) for u in units))
        units.append(cover_units)
    cover_units = np.concatenate(units) if units else np.zeros(0, dtype=np.int64)
    return Batch(scorer, drawings, logit, listed, np.concatenate(pointers), cover_units, notes)


def to_matrix(model: Model, drawings: Sequence[Mapping[str, int]]) -> FloatArray:
    """Validated drawings -> (N, R) intensities."""
    index = model.region_index
    matrix = np.zeros((len(drawings), len(model.regions)))
    for row, drawing in enumerate(drawings):
        for region, intensity in drawing.items():
            matrix[row, index[region]] = intensity
    return matrix
