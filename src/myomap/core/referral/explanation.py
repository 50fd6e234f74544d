"""The reasoner's answer for one drawing, in words and in the stable JSON shape."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from myomap.core.referral.compiled import BoolArray, Model
from myomap.core.referral.engine import Batch, sigmoid

EMPTY_MESSAGE = "The drawing is empty: mark at least one painful region to see candidates."
KINDS = ("essential", "spillover", "local")


@dataclass(frozen=True)
class Candidate:
    index: int  # the candidate's row in the model's arrays
    muscle: str
    muscle_name: str
    trigger_point: str
    trigger_point_name: str
    side: str
    score: float
    logit: float
    zone_of: tuple[tuple[str, str], ...]  # painful regions it explains, with the zone kind
    unexplained: tuple[str, ...]  # painful regions outside its pattern
    free_essential: tuple[str, ...]  # essential zones without pain: evidence against
    findings: tuple[tuple[str, float], ...]  # (finding, log-likelihood ratio)

    @property
    def explains(self) -> tuple[str, ...]:
        return tuple(region for region, _ in self.zone_of)

    @property
    def explains_essential(self) -> tuple[str, ...]:
        return self.explains_as("essential")

    def explains_as(self, kind: str) -> tuple[str, ...]:
        return tuple(region for region, k in self.zone_of if k == kind)

    def as_json(self) -> dict[str, object]:
        by_kind: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for region, kind in self.zone_of:
            by_kind[kind].append(region)
        return {
            "muscle": self.muscle,
            "trigger_point": self.trigger_point,
            "side": self.side,
            "score": round(self.score, 4),
            "explains": [region for region, _ in self.zone_of],
            "unexplained": list(self.unexplained),
            **by_kind,
            "pain_free_essential": list(self.free_essential),
            "findings": [{"finding": f, "effect": round(d, 2)} for f, d in self.findings],
        }


@dataclass(frozen=True)
class CoverItem:
    muscle: str
    muscle_name: str
    side: str
    explains: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    drawing: dict[str, int]
    candidates: tuple[Candidate, ...]
    cover: tuple[CoverItem, ...]
    unexplained: tuple[str, ...]  # painful regions that no candidate explains
    message: str | None = None
    region_names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "candidates": [c.as_json() for c in self.candidates],
            "cover": [item.muscle for item in self.cover],
            "cover_detail": [
                {"muscle": i.muscle, "side": i.side, "explains": list(i.explains)}
                for i in self.cover
            ],
            "unexplained": list(self.unexplained),
        }
        if self.message:
            data["message"] = self.message
        return data


@dataclass(frozen=True)
class _Lookup:
    """The model's patterns as Python sets: fast to test one region at a time."""

    zones: tuple[tuple[frozenset[int], ...], ...]  # per kind, per candidate
    essential: tuple[tuple[int, ...], ...]
    units: tuple[frozenset[int], ...]
    coverable: frozenset[int]
    names: dict[str, str]


@cache
def _lookup(model: Model) -> _Lookup:
    def sets(matrix: BoolArray) -> tuple[frozenset[int], ...]:
        return tuple(frozenset(np.flatnonzero(row).tolist()) for row in matrix)

    pattern = model.pattern
    return _Lookup(
        zones=(sets(model.essential), sets(model.spillover), sets(model.local)),
        essential=tuple(tuple(np.flatnonzero(row).tolist()) for row in model.essential),
        units=tuple(
            frozenset(np.flatnonzero(pattern[model.cand_unit == u].any(axis=0)).tolist())
            for u in range(len(model.units))
        ),
        coverable=frozenset(np.flatnonzero(pattern.any(axis=0)).tolist()),
        names=dict(zip(model.regions, model.region_names, strict=True)),
    )


def build(batch: Batch, row: int, top: int | None = None) -> Explanation:
    """Materialise drawing `row` of a batch into an Explanation (top `top` candidates)."""
    model = batch.scorer.model
    look = _lookup(model)
    regions = model.regions
    values = batch.drawings.painful(row)
    drawing = {regions[r]: v for r, v in values.items()}
    notes = batch.finding_notes[row]
    if not values and not notes:
        return Explanation(drawing, (), (), (), EMPTY_MESSAGE, look.names)
    # Most intense first, so "explains" lists read from the main complaint down.
    by_pain = sorted(values, key=lambda r: (-values[r], r))
    painful = frozenset(values)
    logits = batch.logit[row]
    scores = sigmoid(logits)
    candidates = []
    for c in batch.ranking(row)[:top] if top else batch.ranking(row):
        zone_of = tuple(
            (regions[r], kind)
            for kind, zone in zip(KINDS, look.zones, strict=True)
            for r in by_pain
            if r in zone[c]
        )
        inside = look.zones[0][c] | look.zones[1][c] | look.zones[2][c]
        candidates.append(
            Candidate(
                index=c,
                muscle=model.cand_muscle[c],
                muscle_name=model.muscle_names[model.cand_muscle[c]],
                trigger_point=model.cand_point[c],
                trigger_point_name=model.cand_point_name[c],
                side=model.cand_side[c],
                score=float(scores[c]),
                logit=float(logits[c]),
                zone_of=zone_of,
                unexplained=tuple(regions[r] for r in by_pain if r not in inside),
                free_essential=tuple(regions[r] for r in look.essential[c] if r not in painful),
                findings=tuple(notes.get(c, ())),
            )
        )
    cover = sorted(
        (
            CoverItem(
                model.units[u][0],
                model.muscle_names[model.units[u][0]],
                model.units[u][1],
                tuple(regions[r] for r in by_pain if r in look.units[u]),
            )
            for u in batch.covers[row]
        ),
        key=lambda item: (-len(item.explains), item.muscle, item.side),
    )
    unexplained = tuple(regions[r] for r in by_pain if r not in look.coverable)
    return Explanation(drawing, tuple(candidates), tuple(cover), unexplained, None, look.names)


def rows_as_json(
    batch: Batch, top: int | None = None, rows: Iterable[int] | None = None
) -> Iterator[dict[str, object]]:
    """Drawings of a batch (all, or `rows`) in the JSON shape of `Explanation.as_json`,
    built straight into dicts (no intermediate objects)."""
    model = batch.scorer.model
    look = _lookup(model)
    regions, units, muscles = model.regions, model.units, model.cand_muscle
    points, sides = model.cand_point, model.cand_side
    ess_sets, spill_sets, local_sets = look.zones
    for row in range(len(batch)) if rows is None else rows:
        values = batch.drawings.painful(row)
        notes = batch.finding_notes[row]
        if not values and not notes:
            yield {
                "candidates": [],
                "cover": [],
                "cover_detail": [],
                "unexplained": [],
                "message": EMPTY_MESSAGE,
            }
            continue
        by_pain = sorted(values, key=lambda r: (-values[r], r))
        painful = set(values)
        row_scores = sigmoid(batch.logit[row]).tolist()
        candidates = []
        for c in batch.ranking(row)[:top] if top else batch.ranking(row):
            ess, spill, local = ess_sets[c], spill_sets[c], local_sets[c]
            e = [regions[r] for r in by_pain if r in ess]
            s = [regions[r] for r in by_pain if r in spill]
            lo = [regions[r] for r in by_pain if r in local]
            candidates.append(
                {
                    "muscle": muscles[c],
                    "trigger_point": points[c],
                    "side": sides[c],
                    "score": round(row_scores[c], 4),
                    "explains": e + s + lo,
                    "unexplained": [
                        regions[r]
                        for r in by_pain
                        if r not in ess and r not in spill and r not in local
                    ],
                    "essential": e,
                    "spillover": s,
                    "local": lo,
                    "pain_free_essential": [
                        regions[r] for r in look.essential[c] if r not in painful
                    ],
                    "findings": [
                        {"finding": f, "effect": round(d, 2)} for f, d in notes.get(c, ())
                    ],
                }
            )
        detail = sorted(
            (
                {
                    "muscle": units[u][0],
                    "side": units[u][1],
                    "explains": [regions[r] for r in by_pain if r in look.units[u]],
                }
                for u in batch.covers[row]
            ),
            key=lambda item: (-len(item["explains"]), item["muscle"], item["side"]),
        )
        yield {
            "candidates": candidates,
            "cover": [item["muscle"] for item in detail],
            "cover_detail": detail,
            "unexplained": [regions[r] for r in by_pain if r not in look.coverable],
        }
