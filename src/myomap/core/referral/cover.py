"""The cover: the smallest set of muscles (per side) whose patterns explain every painful
region that any pattern can explain. Among covers of that size, the one whose muscles
score highest wins (a muscle scores as its best point; totals within `TIE` of each other
are equal), and among equally good ones the lexically smallest list of units.

Exact (up to `BEAM` states per drawing at each depth, below), and vectorised over many
drawings at once: a breadth-first search that, at each
depth, branches on the uncovered region with the fewest muscles able to explain it (every
cover must include one of them), and keeps only the best state for each set of
still-uncovered regions (whatever completes one state completes the other, so the better
one stays better). Regions are bits in 64-bit words, ordered so that the lowest set bit
is always the hardest region to cover; the chosen units are bits too.
"""

from __future__ import annotations

import numpy as np

from myomap.core.referral.compiled import BoolArray, FloatArray, IntArray, Model, UIntArray
from myomap.core.referral.inputs import Drawings

TIE = 1e-9  # totals closer than this are the same total, whatever the rounding
# States kept per drawing at each depth. A drawing of a few dozen painful regions stays far
# below it and gets the exact cover; past it (a whole-body drawing over the whole-body
# knowledge base, where the exact search would take minutes) the search keeps the BEAM
# best partial covers at each depth, so the cover found is small and well scored but may
# not be the smallest. An engineering bound on time, not a clinical number.
BEAM = 16_384
BLOCK = 1 << 16  # drawings searched together: their index fits beside a 47-bit hash
_ONE = np.uint64(1)
_REVERSED_BYTE = np.array([int(f"{b:08b}"[::-1], 2) for b in range(256)], dtype=np.uint8)


class CoverIndex:
    """Bit layout, the muscles able to explain each region, and each unit's points."""

    def __init__(self, model: Model) -> None:
        units, regions = len(model.units), len(model.regions)
        unit_pattern = np.zeros((units, regions), dtype=bool)
        np.logical_or.at(unit_pattern, model.cand_unit, model.pattern)
        coverers = unit_pattern.sum(axis=0)
        self.words = max(1, -(-regions // 64))
        self.unit_words = max(1, -(-units // 64))
        # Bit position of each region: hardest to cover (fewest coverers) first.
        order = np.argsort(np.where(coverers > 0, coverers, 10**6), kind="stable")
        self.bit_of_region: IntArray = np.empty(regions, dtype=np.int64)
        self.bit_of_region[order] = np.arange(regions)
        self.coverable: BoolArray = coverers > 0
        self.unit_bits: UIntArray = self.pack(unit_pattern)  # (U, words)
        by_bit = unit_pattern[:, order].T  # (bits, U): the units able to explain each bit
        bit, unit = np.nonzero(by_bit)
        self.coverer_ptr: IntArray = np.zeros(64 * self.words + 1, dtype=np.int64)
        np.cumsum(np.bincount(bit, minlength=64 * self.words), out=self.coverer_ptr[1:])
        self.coverer_unit: IntArray = unit.astype(np.int64)
        self.unit_clear = [np.ascontiguousarray(~self.unit_bits[:, w]) for w in range(self.words)]
        u = np.arange(units)
        self.unit_flag: list[UIntArray] = []  # unit u: bit 63 - u % 64 of word u // 64
        for w in range(self.unit_words):
            flag = np.where(u // 64 == w, _ONE << (63 - u % 64).astype(np.uint64), 0)
            self.unit_flag.append(flag.astype(np.uint64))
        # Each unit's first candidate (a unit's candidates are consecutive) and how many
        # it has.
        self.unit_start: IntArray = model.unit_start.astype(np.int64)
        self.unit_size: IntArray = np.bincount(model.cand_unit, minlength=units).astype(np.int64)
        self.most_cands = int(self.unit_size.max(initial=1))

    def pack(self, rows: BoolArray) -> UIntArray:
        """(N, R) booleans -> (N, words) uint64 in this index's bit order."""
        bits = np.zeros((rows.shape[0], 64 * self.words), dtype=bool)
        bits[:, self.bit_of_region] = rows
        return np.packbits(bits, axis=1, bitorder="little").view("<u8").astype(np.uint64)


def minimal_covers(
    index: CoverIndex, drawings: Drawings, logit: FloatArray
) -> tuple[IntArray, IntArray]:
    """Each drawing's best smallest cover, as (indptr, units): drawing i's unit indices
    (ascending) are `units[indptr[i]:indptr[i+1]]`. `logit` (N, C) ranks equal-sized covers.
    """
    count = len(drawings)
    coverable = index.coverable[drawings.region]
    row = drawings.row[coverable]
    bit = index.bit_of_region[drawings.region[coverable]]
    packed = np.zeros(count * index.words, dtype=np.uint64)
    np.add.at(packed, row * index.words + bit // 64, _ONE << (bit % 64).astype(np.uint64))
    targets = packed.reshape(count, index.words)
    found_rows: list[IntArray] = []
    found_sets: list[list[UIntArray]] = []
    for start in range(0, count, BLOCK):
        block = targets[start : start + BLOCK]
        rows = np.flatnonzero(block.any(axis=1))
        remaining = [np.ascontiguousarray(block[rows, w]) for w in range(index.words)]
        flat_logit = logit[start : start + BLOCK].reshape(-1)
        got_rows, got_sets = _search(index, rows, remaining, flat_logit, logit.shape[1])
        found_rows.append(got_rows + start)
        found_sets.append(got_sets)
    rows = np.concatenate(found_rows) if found_rows else np.zeros(0, dtype=np.int64)
    which, units = _members(
        [np.concatenate([sets[w] for sets in found_sets]) for w in range(index.unit_words)]
        if found_sets
        else [np.zeros(0, dtype=np.uint64)]
    )
    owner = rows[which]
    order = np.argsort(owner * 64 * index.unit_words + units)  # rows may finish in any order
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=count), out=indptr[1:])
    return indptr, units[order]


def _members(words: list[UIntArray]) -> tuple[IntArray, IntArray]:
    """The units in each set (see _search for the bit layout): (set index, unit) pairs."""
    which: list[IntArray] = []
    units: list[IntArray] = []
    for w, word in enumerate(words):
        index = np.flatnonzero(word)  # a set may hold no unit in this word
        word = word[index]
        while len(word):
            lowest = word & (~word + _ONE)
            units.append(64 * w + 64 - np.frexp(lowest.astype(np.float64))[1])
            which.append(index)
            word ^= lowest
            more = word != 0
            word, index = word[more], index[more]
    if not which:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(which), np.concatenate(units).astype(np.int64)


def _search(
    index: CoverIndex, rows: IntArray, remaining: list[UIntArray], logit: FloatArray, cands: int
) -> tuple[IntArray, list[UIntArray]]:
    """Breadth-first search over one block; returns the rows and their chosen unit sets.

    States are parallel arrays: the drawing, its uncovered regions (one array per word),
    the total score so far, and the chosen units (one array per word). A unit's bit is
    63 - u % 64 of word u // 64, so that of two equally large sets, the lexically smaller
    one (the one holding the smallest unit in only one of them) has the larger words.
    """
    total = np.zeros(len(rows))
    chosen = [np.zeros(len(rows), dtype=np.uint64) for _ in range(index.unit_words)]
    done_rows: list[IntArray] = []
    done_sets: list[list[UIntArray]] = []
    while len(rows):
        bit = _lowest_bit(remaining)
        first = index.coverer_ptr[bit]
        width = index.coverer_ptr[bit + 1] - first
        state = np.repeat(np.arange(len(rows)), width)
        slot = np.arange(len(state)) - np.repeat(np.cumsum(width) - width, width)
        unit = index.coverer_unit[first[state] + slot]
        rows = rows[state]
        # A muscle-side scores as its best trigger point.
        first_cand = rows * cands + index.unit_start[unit]
        best = logit[first_cand]
        size = index.unit_size[unit]
        more = np.flatnonzero(size > 1)  # the states whose unit has another candidate
        for slot in range(1, index.most_cands):
            if not len(more):
                break
            best[more] = np.maximum(best[more], logit[first_cand[more] + slot])
            more = more[size[more] > slot + 1]
        total = total[state] + 1.0 / (1.0 + np.exp(-best))
        remaining = [word[state] & index.unit_clear[w][unit] for w, word in enumerate(remaining)]
        chosen = [word[state] | index.unit_flag[w][unit] for w, word in enumerate(chosen)]
        open_ = remaining[0] != 0
        for word in remaining[1:]:
            open_ |= word != 0
        if not open_.all():
            finished = np.flatnonzero(~open_)
            pick = finished[
                _best(_runs(rows[finished]), total[finished], [w[finished] for w in chosen])
            ]
            done_rows.append(rows[pick])
            done_sets.append([w[pick] for w in chosen])
            closed = np.zeros(int(rows[-1]) + 1, dtype=bool)
            closed[rows[pick]] = True
            keep = open_ & ~closed[rows]
            rows, total = rows[keep], total[keep]
            remaining = [w[keep] for w in remaining]
            chosen = [w[keep] for w in chosen]
        rows, remaining, total, chosen = _best_per_state(rows, remaining, total, chosen)
        if len(rows) > BEAM:
            rows, remaining, total, chosen = _beam(rows, remaining, total, chosen)
    if not done_rows:
        empty = np.zeros(0, dtype=np.uint64)
        return np.zeros(0, dtype=np.int64), [empty for _ in range(index.unit_words)]
    return np.concatenate(done_rows), [
        np.concatenate([sets[w] for sets in done_sets]) for w in range(index.unit_words)
    ]


def _beam(
    rows: IntArray, remaining: list[UIntArray], total: FloatArray, chosen: list[UIntArray]
) -> tuple[IntArray, list[UIntArray], FloatArray, list[UIntArray]]:
    """At most BEAM states per drawing: each drawing's nearest to a cover (fewest regions
    still uncovered), then best by total (ties by their order), rows kept ascending."""
    counts = np.bincount(rows)
    if counts.max() <= BEAM:
        return rows, remaining, total, chosen
    uncovered = np.zeros(len(rows), dtype=np.int64)
    for word in remaining:
        uncovered += np.bitwise_count(word)
    order = np.lexsort((-total, uncovered, rows))
    ranked = rows[order]
    starts = _runs(ranked)
    run = np.zeros(len(ranked), dtype=np.int64)
    run[starts[1:]] = 1
    np.cumsum(run, out=run)
    place = np.arange(len(ranked)) - starts[run]
    keep = order[place < BEAM]
    keep.sort()  # back in the states' own order, rows ascending
    return rows[keep], [w[keep] for w in remaining], total[keep], [w[keep] for w in chosen]


def _lowest_bit(words: list[UIntArray]) -> IntArray:
    """Index of the lowest set bit over each state's words; states must not be all zero."""
    result = np.zeros(len(words[0]), dtype=np.int64)
    for w in reversed(range(len(words))):
        word = words[w]
        # The bits up to and including the lowest set one, counted (64 for a zero word).
        found = np.bitwise_count(word ^ (word - _ONE)).astype(np.int64)
        found += 64 * w - 1
        result = found if w == len(words) - 1 else np.where(word != 0, found, result)
    return result


def _runs(keys: IntArray) -> IntArray:
    """Start of each run of equal consecutive keys."""
    new = np.ones(len(keys), dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    return np.flatnonzero(new)


def _best_per_state(
    rows: IntArray, remaining: list[UIntArray], total: FloatArray, chosen: list[UIntArray]
) -> tuple[IntArray, list[UIntArray], FloatArray, list[UIntArray]]:
    """Of states with the same row and the same uncovered regions, keep the best."""
    if len(rows) < 2 or not (rows[1:] == rows[:-1]).any():
        return rows, remaining, total, chosen
    mixed = remaining[0] * np.uint64(0x9E3779B97F4A7C15)
    for w, word in enumerate(remaining[1:], start=1):
        mixed ^= (word + np.uint64(w)) * np.uint64(0xC2B2AE3D27D4EB4F)
    mixed ^= mixed >> np.uint64(29)
    key = (rows.astype(np.uint64) << np.uint64(47)) | (mixed >> np.uint64(17))
    order = np.argsort(key)  # rows stay ascending: they are the key's high bits
    r = rows[order]
    rem = [w[order] for w in remaining]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    np.not_equal(r[1:], r[:-1], out=new[1:])
    for word in rem:
        new[1:] |= word[1:] != word[:-1]
    # A hash collision can only split a group in two: both halves stay, nothing is lost.
    best = _best(np.flatnonzero(new), total[order], [w[order] for w in chosen])
    pick = order[best]
    return rows[pick], [w[best] for w in rem], total[pick], [w[pick] for w in chosen]


def _best(starts: IntArray, total: FloatArray, chosen: list[UIntArray]) -> IntArray:
    """The best state of each group (groups are consecutive runs beginning at `starts`):
    the highest total, then the lexically smallest set of units (the largest words)."""
    group = np.zeros(len(total), dtype=np.int64)
    group[starts[1:]] = 1
    np.cumsum(group, out=group)
    top = np.maximum.reduceat(total, starts)
    eligible: IntArray = np.flatnonzero(total >= top[group] - TIE)
    if len(eligible) == len(starts):
        return eligible
    group = group[eligible]
    # The largest words, word by word: every group keeps a state, so groups stay 0, 1, ...
    for chosen_word in chosen:
        word = chosen_word[eligible]
        largest = np.maximum.reduceat(word, _runs(group))
        wins = word == largest[group]
        eligible, group = eligible[wins], group[wins]
        if len(eligible) == len(starts):
            return eligible
    return eligible[_runs(group)]
