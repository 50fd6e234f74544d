"""The cover: the smallest set of muscles (per side) whose patterns explain every painful
region that any pattern can explain. Among covers of that size, the one whose muscles
score highest wins.

Exact, and vectorised over many drawings at once: a breadth-first search that, at each
depth, branches on the uncovered region with the fewest muscles able to explain it (every
cover must include one of them), and keeps only the best-scoring state for each set of
still-uncovered regions. Regions are bits in two 64-bit words, ordered so that the lowest
set bit is always the hardest region to cover.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from myomap.core.referral.compiled import BoolArray, FloatArray, IntArray, Model, UIntArray

MAX_DEPTH = 12
WORDS = 2  # 128 bits: room for the body map's regions


class CoverIndex:
    """Bit layout and per-region cover units, built once per model."""

    def __init__(self, model: Model) -> None:
        unit_pattern = np.zeros((len(model.units), len(model.regions)), dtype=bool)
        np.logical_or.at(unit_pattern, model.cand_unit, model.pattern)
        coverers = unit_pattern.sum(axis=0)
        if len(model.regions) > 64 * WORDS:
            raise ValueError("the cover index holds at most 128 regions")
        # Bit position of each region: hardest to cover (fewest coverers) first.
        order = np.argsort(np.where(coverers > 0, coverers, 10**6), kind="stable")
        self.bit_of_region: IntArray = np.empty(len(model.regions), dtype=np.int64)
        self.bit_of_region[order] = np.arange(len(model.regions))
        self.coverable: BoolArray = coverers > 0
        self.unit_bits: UIntArray = self.pack(unit_pattern)
        width = int(coverers.max()) if len(coverers) else 0
        self.coverers_of_bit: IntArray = np.full((64 * WORDS, max(width, 1)), -1, dtype=np.int64)
        for region, bit in enumerate(self.bit_of_region):
            units = np.flatnonzero(unit_pattern[:, region])
            self.coverers_of_bit[bit, : len(units)] = units

    def pack(self, rows: BoolArray) -> UIntArray:
        """(N, R) booleans -> (N, WORDS) uint64 in this index's bit order."""
        bits = np.zeros((rows.shape[0], 64 * WORDS), dtype=bool)
        bits[:, self.bit_of_region] = rows
        weights = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
        return np.stack(
            [
                (bits[:, 64 * w : 64 * (w + 1)] * weights).sum(axis=1, dtype=np.uint64)
                for w in range(WORDS)
            ],
            axis=1,
        )


def _lowest_bit(words: UIntArray) -> IntArray:
    """Index of the lowest set bit of each (WORDS,) row; rows must not be all zero."""
    result = np.full(words.shape[0], -1, dtype=np.int64)
    for w in reversed(range(WORDS)):
        word = words[:, w]
        has = word != 0
        lsb = word & (~word + np.uint64(1))
        index = np.zeros(word.shape[0], dtype=np.int64)
        index[has] = np.log2(lsb[has].astype(np.float64)).astype(np.int64) + 64 * w
        result = np.where(has, index, result)
    return result


def minimal_covers(
    index: CoverIndex, targets: UIntArray, unit_scores: FloatArray
) -> list[list[int]]:
    """For each row: the unit indices of its best smallest cover (may be empty).

    `targets` (N, WORDS) are the coverable painful regions; `unit_scores` (N, U) rank
    equally small covers.
    """
    count = targets.shape[0]
    covers: list[list[int]] = [[] for _ in range(count)]
    rows: IntArray = np.flatnonzero(targets.any(axis=1))
    remaining = targets[rows]
    total = np.zeros(len(rows))
    chosen = np.zeros((len(rows), 0), dtype=np.int64)
    for _depth in range(MAX_DEPTH):
        if len(rows) == 0:
            break
        branches = index.coverers_of_bit[_lowest_bit(remaining)]  # (S, B)
        valid = branches >= 0
        state, slot = np.nonzero(valid)
        unit = branches[state, slot]
        rows, total = rows[state], total[state] + unit_scores[rows[state], unit]
        remaining = remaining[state] & ~index.unit_bits[unit]
        chosen = np.concatenate([chosen[state], unit[:, None]], axis=1)
        done = ~remaining.any(axis=1)
        if done.any():
            _finish(rows[done], total[done], chosen[done], covers)
            finished = np.zeros(count, dtype=bool)
            finished[rows[done]] = True
            keep = ~finished[rows]
            rows, remaining, total, chosen = rows[keep], remaining[keep], total[keep], chosen[keep]
        rows, remaining, total, chosen = _best_per_state(rows, remaining, total, chosen)
    if len(rows):
        raise RuntimeError(
            "no cover within the depth limit"
        )  # cannot happen: targets are coverable
    return covers


def _finish(rows: IntArray, total: FloatArray, chosen: IntArray, covers: list[list[int]]) -> None:
    # Best total first; equal totals: the lexically smallest unit set, for determinism.
    keys = np.sort(chosen, axis=1)
    order = np.lexsort([*keys.T[::-1], -total, rows])
    first = np.ones(len(order), dtype=bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    for i in order[first]:
        covers[int(rows[i])] = sorted(int(u) for u in set(chosen[i].tolist()))


def _best_per_state(
    rows: IntArray, remaining: UIntArray, total: FloatArray, chosen: IntArray
) -> tuple[IntArray, UIntArray, FloatArray, IntArray]:
    """Of states with the same row and the same uncovered regions, keep the best."""
    if len(rows) < 2:
        return rows, remaining, total, chosen
    keys = np.sort(chosen, axis=1)
    order = np.lexsort([*keys.T[::-1], -total, *remaining.T[::-1], rows])
    r, rem = rows[order], remaining[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (rem[1:] != rem[:-1]).any(axis=1)
    pick: npt.NDArray[np.intp] = order[first]
    return rows[pick], remaining[pick], total[pick], chosen[pick]
