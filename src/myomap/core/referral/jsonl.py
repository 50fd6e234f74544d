"""A batch's answers as JSON lines, fast: the bytes `orjson.dumps(head | row)` would give
for each `rows_as_json` row, assembled from fragments rendered once.

What a candidate's entry says is fixed by the candidate and by which of its pattern's
regions hurt, in what order; only the score and the regions outside its pattern vary
freely. So an entry is five kinds of fragment: the candidate's head (muscle, point,
side), its score (10,001 possible values once rounded), the "explains" block and the
zone lists (cached per candidate and painful sub-pattern), and one fragment per
unexplained region. The arrays say which fragment goes where; `bytes.join` copies them
into blocks of `WRITE_ROWS` lines, small enough to reuse memory already mapped. Rows
with findings, and empty drawings, take the plain path (`rows_as_json`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import orjson

from myomap.core.referral.compiled import BoolArray, FloatArray, IntArray, Model
from myomap.core.referral.engine import Batch, rank
from myomap.core.referral.explanation import rows_as_json
from myomap.core.referral.inputs import Drawings

ObjArray = npt.NDArray[np.object_]
CACHE_LIMIT = 60_000  # fragments made and kept between batches (a few MB): memory stays flat
WRITE_ROWS = 64  # lines joined and written together
SLOT_BITS = 16  # direct-mapped fragment lookups: 65,536 slots per kind
SLOTS = 1 << SLOT_BITS
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the high bits pick the slot


class _Fragments:
    """Byte strings by number: a fixed part rendered up front, then pieces made on first
    use and looked up by key (an int) as arrays. Past `CACHE_LIMIT` the made ones go.

    Most keys repeat, so a lookup first tries a direct-mapped table (one slot per hash,
    the last key seen there wins it); only the misses are searched in the sorted keys."""

    def __init__(self, fixed: list[bytes]) -> None:
        self.fixed = len(fixed)
        self.items: list[bytes] = []
        self.array = _objects([])
        self._extend(fixed)
        self.kinds: dict[int, tuple[IntArray, IntArray]] = {}
        self.slots: dict[int, tuple[IntArray, IntArray]] = {}

    def add(self, items: Sequence[bytes]) -> int:
        """Fixed fragments; returns the first one's number."""
        first = len(self.items)
        self._extend(items)
        self.fixed = len(self.items)
        return first

    def _extend(self, items: Sequence[bytes]) -> None:
        """Append to `items` and to `array` (grown by doubling, not rebuilt each time)."""
        start = len(self.items)
        self.items.extend(items)
        if len(self.items) > len(self.array):
            grown = _objects([b""] * max(2 * len(self.array), len(self.items)))
            grown[:start] = self.array[:start]
            self.array = grown
        self.array[start : len(self.items)] = _objects(self.items[start:])

    def trim(self) -> None:
        """Forget the made fragments once there are too many: memory stays flat. Called
        between batches, never while a batch's numbers are in use."""
        if len(self.items) - self.fixed > CACHE_LIMIT:
            del self.items[self.fixed :]
            self.array = _objects(self.items)  # the made ones' memory goes too
            self.kinds.clear()
            self.slots.clear()

    def lookup(
        self, kind: int, keys: IntArray, make: Callable[[int], Sequence[bytes]], width: int = 1
    ) -> IntArray:
        """The numbers of the fragments for `keys` (all >= 0), making the missing ones.
        `make(key)` gives `width` fragments, numbered consecutively: the first is returned."""
        if kind not in self.slots:
            self.slots[kind] = (np.full(SLOTS, -1, np.int64), np.zeros(SLOTS, np.int64))
        slot_key, slot_number = self.slots[kind]
        slot = (keys.astype(np.uint64) * _MIX >> np.uint64(64 - SLOT_BITS)).astype(np.int64)
        numbers = slot_number[slot]
        miss = np.flatnonzero(slot_key[slot] != keys)
        if len(miss):
            missed = keys[miss]
            numbers[miss] = self._search(kind, missed, make, width)
            slot_key[slot[miss]] = missed
            slot_number[slot[miss]] = numbers[miss]
        return numbers

    def _search(
        self, kind: int, keys: IntArray, make: Callable[[int], Sequence[bytes]], width: int
    ) -> IntArray:
        known, numbers = self.kinds.get(kind, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
        at = np.searchsorted(known, keys)
        found = at < len(known)
        found[found] &= known[at[found]] == keys[found]
        if not found.all():
            new = np.unique(keys[~found])
            first = len(self.items)
            self._extend([piece for key in new.tolist() for piece in make(key)])
            known = np.concatenate([known, new])
            numbers = np.concatenate([numbers, first + width * np.arange(len(new))])
            order = np.argsort(known)
            known, numbers = known[order], numbers[order]
            self.kinds[kind] = (known, numbers)
            at = np.searchsorted(known, keys)
        found_numbers: IntArray = numbers[at]
        return found_numbers


@dataclass(frozen=True)
class _Members:
    """One entry per (owner, painful region of its drawing), owner by owner, regions in
    pain order; and per owner, the code of the painful regions in its pattern."""

    owner: IntArray  # (E,) the entry's owner
    slot: IntArray  # (E,) its place among its owner's entries: 0, 1, ...
    region: IntArray  # (E,) the painful region
    inside: BoolArray  # (E,) whether the region is in the owner's pattern
    rank: IntArray  # (E,) among the owner's inside entries: 0, 1, ... (meaningless outside)
    count: IntArray  # (O,) how many of the owner's entries are inside
    code: IntArray  # (O,) sum of place * base ** rank over the inside entries


def _painful_members(
    d: Drawings,
    by_pain: IntArray,
    rows: IntArray,
    patterns: IntArray,
    place: IntArray,
    regions: int,
    powers: FloatArray,
) -> _Members:
    """For owners (a candidate shown for a drawing, or a cover unit of one): owner i
    belongs to drawing `rows[i]` and has pattern `patterns[i]`, whose regions have places
    `place[pattern * regions + region]` (1.., 0 outside it); `powers[j]` is base ** j.

    The code names the painful part of the pattern in pain order, exactly (float64 sums
    below 2**53), so one cached fragment serves every owner with the same code."""
    first = d.indptr[rows]
    sizes = d.indptr[rows + 1] - first
    owner = np.repeat(np.arange(len(rows)), sizes)
    before = np.cumsum(sizes) - sizes  # entries of the owners before each
    slot = np.arange(len(owner)) - np.repeat(before, sizes)
    region = by_pain[np.repeat(first, sizes) + slot]
    at = place[patterns[owner] * regions + region]
    inside = at > 0
    inside_before = np.zeros(len(owner) + 1, dtype=np.int64)  # inside entries before each
    np.cumsum(inside, out=inside_before[1:])
    count = inside_before[before + sizes] - inside_before[before]
    rank = inside_before[1:] - 1 - np.repeat(inside_before[before], sizes)
    # Outside entries weigh nothing (their place is 0), so no entry needs picking out.
    code = np.bincount(owner, weights=at * powers[rank], minlength=len(rows)).astype(np.int64)
    return _Members(owner, slot, region, inside, rank, count, code)


def _places(patterns: BoolArray) -> tuple[list[list[int]], IntArray, int]:
    """Each pattern's regions (ascending), each region's place in its pattern (1.., 0
    outside it; flat, pattern * R + region), and a base above every place."""
    members = [np.flatnonzero(row).tolist() for row in patterns]
    place = np.zeros(patterns.shape, dtype=np.int64)
    for i, regions in enumerate(members):
        place[i, regions] = np.arange(1, len(regions) + 1)
    return members, place.ravel(), max(map(len, members), default=0) + 1


def _slots(sizes: IntArray) -> IntArray:
    """0, 1, ... within each group of consecutive items, for groups of these sizes."""
    return np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _dump(value: object) -> bytes:
    return orjson.dumps(value)


def _objects(items: Sequence[bytes]) -> ObjArray:
    array = np.empty(len(items), dtype=object)
    array[:] = list(items)
    return array


class Renderer:
    """The model's fragments, rendered once per model and `top`."""

    def __init__(self, model: Model, top: int | None) -> None:
        self.model = model
        self.top = top
        regions, cands = len(model.regions), len(model.cand_point)
        names = [_dump(r) for r in model.regions]
        heads = [
            b'{"muscle":%s,"trigger_point":%s,"side":%s,"score":' % (_dump(m), _dump(p), _dump(s))
            for m, p, s in zip(model.cand_muscle, model.cand_point, model.cand_side, strict=True)
        ]
        muscles = [_dump(m) for m, _ in model.units]
        self.names = names
        table = _Fragments([])
        self.region_first = table.add(names)
        self.region_next = table.add([b"," + n for n in names])
        self.head_first = table.add(heads)
        self.head_next = table.add([b"," + h for h in heads])
        self.scores = table.add([_dump(k / 10_000) + b',"explains":[' for k in range(10_001)])
        self.cover_first = table.add(muscles)
        self.cover_next = table.add([b"," + m for m in muscles])
        self.marks = table.add(
            [
                b'"candidates":[',
                b'],"cover":[',
                b'],"cover_detail":[',
                b'],"unexplained":[',
                b"]}\n",
            ]
        )
        self.table = table
        # Each candidate's pattern regions (ascending), and each region's place in it (1..).
        kinds = np.select([model.essential, model.spillover, model.local], [1, 2, 3], 0)
        self.pattern, self.place, self.base = _places(kinds > 0)
        # Per candidate, its pattern's regions (ascending): their kinds and names.
        self.member_kind = [[int(kinds[c, r]) for r in rs] for c, rs in enumerate(self.pattern)]
        self.member_name = [[names[r] for r in rs] for rs in self.pattern]
        self.detail_head = [
            b'{"muscle":%s,"side":%s,"explains":[' % (_dump(m), _dump(side))
            for m, side in model.units
        ]
        # Each cover unit's regions, and each region's place in it.
        unit_pattern = np.zeros((len(model.units), regions), dtype=bool)
        np.logical_or.at(unit_pattern, model.cand_unit, model.pattern)
        self.unit_regions, self.unit_place, self.unit_base = _places(unit_pattern)
        ranked = sorted(range(len(model.units)), key=lambda u: model.units[u])
        self.unit_rank = np.argsort(np.array(ranked, dtype=np.int64)) if ranked else np.zeros(0)
        self.coverable = np.zeros(regions, dtype=bool)
        self.coverable[np.flatnonzero(unit_pattern.any(axis=0))] = True
        # Codes are sums of place * base ** position, exact in float64 below 2**53.
        with np.errstate(over="ignore"):  # too large only when not usable: then unused
            self.powers = float(self.base) ** np.arange(self.base, dtype=np.float64)
            self.unit_powers = float(self.unit_base) ** np.arange(self.unit_base, dtype=np.float64)
        self.usable = (
            self.base ** (self.base - 1) * max(cands, 1) < 2**52
            and self.unit_base ** (self.unit_base - 1) * max(len(model.units), 1) * 2 < 2**52
        )

    # ----------------------------------------------------------------- fragments
    def _sequence(self, code: int, members: list[int], base: int) -> list[int]:
        out = []
        while code:
            code, digit = divmod(code, base)
            out.append(members[digit - 1])
        return out

    def _pattern_pieces(self, key: int) -> tuple[bytes, bytes]:
        """A pair's "explains" block and its zone lists, for (candidate, painful sub-pattern):
        ',"explains":[...],"unexplained":[' and '],"essential":[...],...,"findings":[]}'."""
        c, code = key % len(self.pattern), key // len(self.pattern)
        kinds, names = self.member_kind[c], self.member_name[c]
        by_kind: tuple[list[bytes], list[bytes], list[bytes]] = ([], [], [])
        painful = set()
        base = self.base
        while code:  # the painful regions of the pattern, in pain order
            code, digit = divmod(code, base)
            by_kind[kinds[digit - 1] - 1].append(names[digit - 1])
            painful.add(digit - 1)
        essential, spillover, local = by_kind
        free = b",".join(names[i] for i, kind in enumerate(kinds) if kind == 1 and i not in painful)
        return (
            b",".join(essential + spillover + local) + b'],"unexplained":[',
            b'],"essential":[%s],"spillover":[%s],"local":[%s],"pain_free_essential":[%s],'
            b'"findings":[]}'
            % (b",".join(essential), b",".join(spillover), b",".join(local), free),
        )

    def _detail(self, key: int) -> tuple[bytes]:
        first, key = key % 2, key // 2
        units = len(self.unit_regions)
        u, code = key % units, key // units
        seq = self._sequence(code, self.unit_regions[u], self.unit_base)
        body = self.detail_head[u] + b",".join(self.names[r] for r in seq) + b"]}"
        return (body if first else b"," + body,)

    # --------------------------------------------------------------------- lines
    def lines(self, batch: Batch, heads: Sequence[bytes]) -> bytes:
        """JSON lines for every drawing of the batch; `heads[i]` opens line i (e.g.
        b'{"line":3,') and the rest follows in `Explanation.as_json`'s shape."""
        pieces, _ = self._pieces(batch, heads)
        return b"".join(pieces.tolist())

    def write(self, batch: Batch, heads: Sequence[bytes], out: BinaryIO) -> None:
        """`lines(batch, heads)`, written to `out` a few hundred lines at a time: each
        block reuses memory already mapped (a fresh 30 MB block costs more in page faults
        than in copying)."""
        pieces, row_at = self._pieces(batch, heads)
        bounds = [*row_at[::WRITE_ROWS].tolist(), len(pieces)]
        for start, end in pairwise(bounds):
            out.write(b"".join(pieces[start:end].tolist()))

    def _pieces(self, batch: Batch, heads: Sequence[bytes]) -> tuple[ObjArray, IntArray]:
        """The fragments of every line, in order, and where each line's first one is."""
        self.table.trim()
        n = len(batch)
        d = batch.drawings
        sizes = np.diff(d.indptr)
        plain = np.array([bool(notes) for notes in batch.finding_notes], dtype=bool)
        plain |= sizes == 0
        if not self.usable:
            plain[:] = True
        # Painful regions, most intense first (ties: region order).
        row = d.row
        regions = len(self.model.regions)
        by_pain = d.region[np.argsort(row * (11 * regions) + (10 - d.value) * regions + d.region)]
        order, counts = rank(batch.logit, batch.listed, self.top)
        shown = np.minimum(counts, order.shape[1])
        shown[plain] = 0
        # Pairs (drawing, candidate shown), drawing by drawing, best first.
        pair_row, pair_rank = np.nonzero(np.arange(order.shape[1]) < shown[:, None])
        cand = order[pair_row, pair_rank]
        cands = len(self.pattern)
        # Scores as the plain path rounds them: round(score, 4).
        score = 1.0 / (1.0 + np.exp(-batch.logit[pair_row, cand]))
        scaled = score * 10_000
        step = np.rint(scaled).astype(np.int64)
        unsure = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
        for i in unsure.tolist():
            step[i] = round(round(float(score[i]), 4) * 10_000)
        # Each pair's painful regions, in pain order: inside the pattern or not.
        pairs = _painful_members(d, by_pain, pair_row, cand, self.place, regions, self.powers)
        entry_pair, region, inside = pairs.owner, pairs.region, pairs.inside
        code = pairs.code
        outside = np.flatnonzero(~inside)
        out_count = sizes[pair_row] - pairs.count
        out_rank = (pairs.slot - pairs.rank - 1)[outside]  # among the pair's outside entries
        # Cover units of fast drawings, in the plain path's order.
        cover_ptr = batch.cover_ptr
        cover_sizes = np.diff(cover_ptr)
        cover_sizes[plain] = 0
        cover_row = np.repeat(np.arange(n), cover_sizes)
        starts = cover_ptr[:-1][cover_row]
        cslot = _slots(cover_sizes)
        unit = batch.cover_units[starts + cslot]
        covers = _painful_members(
            d, by_pain, cover_row, unit, self.unit_place, regions, self.unit_powers
        )
        ccount, ccode = covers.count, covers.code
        # Sort: most regions explained first, then muscle and side.
        units = len(self.unit_regions)
        sort_key = (cover_row * (regions + 1) + (regions - ccount)) * units + self.unit_rank[unit]
        corder = np.argsort(sort_key, kind="stable")
        unit, ccode = unit[corder], ccode[corder]  # rows stay grouped: slots stay valid
        # Regions no pattern explains, per fast drawing.
        unexplained = ~self.coverable[by_pain]
        unexplained &= ~plain[row]
        un_row = row[unexplained]
        un_count = np.bincount(un_row, minlength=n)
        un_slot = _slots(un_count)
        # Layout: how many fragments each pair and each drawing takes, and where they go.
        pair_size = 4 + out_count
        pair_total = np.bincount(pair_row, weights=pair_size, minlength=n).astype(np.int64)
        row_size = np.where(plain, 1, 6 + pair_total + 2 * cover_sizes + un_count)
        row_at = np.cumsum(row_size) - row_size
        pairs_before = np.cumsum(pair_size) - pair_size
        first_pair = np.cumsum(shown) - shown
        pair_at = row_at[pair_row] + 2 + pairs_before - pairs_before[first_pair[pair_row]]
        tail_at = row_at + 2 + pair_total
        table = self.table
        ids = np.empty(int(row_size.sum()), dtype=np.int64)
        fast = np.flatnonzero(~plain)
        marks = self.marks
        ids[row_at[fast] + 1] = marks
        first = pair_rank == 0
        ids[pair_at] = np.where(first, self.head_first, self.head_next) + cand
        ids[pair_at + 1] = self.scores + step
        key_array = code * cands + cand
        pattern_pieces = table.lookup(0, key_array, self._pattern_pieces, 2)
        ids[pair_at + 2] = pattern_pieces
        out_at = pair_at[entry_pair[outside]] + 3 + out_rank
        lead = out_rank == 0
        ids[out_at] = np.where(lead, self.region_first, self.region_next) + region[outside]
        ids[pair_at + 3 + out_count] = pattern_pieces + 1
        ids[tail_at[fast]] = marks + 1
        lead = cslot == 0
        ids[tail_at[cover_row] + 1 + cslot] = (
            np.where(lead, self.cover_first, self.cover_next) + unit
        )
        ids[tail_at[fast] + 1 + cover_sizes[fast]] = marks + 2
        detail_key = (ccode * units + unit) * 2 + lead
        detail_at = tail_at[cover_row] + 2 + cover_sizes[cover_row] + cslot
        ids[detail_at] = table.lookup(1, detail_key, self._detail)
        un_base = tail_at + 2 + 2 * cover_sizes
        ids[un_base[fast]] = marks + 3
        lead = un_slot == 0
        ids[un_base[un_row] + 1 + un_slot] = (
            np.where(lead, self.region_first, self.region_next) + by_pain[unexplained]
        )
        ids[un_base[fast] + 1 + un_count[fast]] = marks + 4
        slow = np.flatnonzero(plain)
        ids[row_at[slow]] = 0
        ids[row_at[fast]] = 0
        out = table.array[ids]
        out[row_at[fast]] = _objects([heads[i] for i in fast.tolist()])
        for i, data in zip(
            slow.tolist(), rows_as_json(batch, self.top, slow.tolist()), strict=True
        ):
            out[row_at[i]] = heads[i] + orjson.dumps(data)[1:] + b"\n"
        return out, row_at
