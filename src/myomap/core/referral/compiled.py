"""The knowledge base compiled into arrays for fast reasoning, and cached on disk.

Each candidate is one trigger point on one side of the body. A point whose pattern is
the same whichever side it is on (a bilateral or midline pattern) is one candidate with
side "bilateral" or "midline". Candidates are grouped into cover units, one per muscle
and side: the cover names muscles, because a therapist examines a muscle as a whole.

The compiled arrays are written to a cache file keyed by the knowledge files' sizes and
modification times, so `myomap explain` starts without parsing YAML or importing pydantic.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from myomap.core.referral import params

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
UIntArray = npt.NDArray[np.uint64]

FORMAT_VERSION = 7
KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Model:
    """Everything the reasoner needs, as arrays indexed by region and candidate."""

    regions: tuple[str, ...]  # concrete region ids (R)
    region_names: tuple[str, ...]
    mirror: IntArray  # (R,) index of the same region on the other side
    cand_point: tuple[str, ...]  # (C,) trigger point id
    cand_point_name: tuple[str, ...]
    cand_muscle: tuple[str, ...]
    cand_side: tuple[str, ...]  # left | right | bilateral | midline
    cand_unit: IntArray  # (C,) cover unit of each candidate; candidates sorted by unit
    prior: FloatArray  # (C,) prior log-odds
    weight: FloatArray  # (C,) confidence weight
    essential: BoolArray  # (C, R)
    spillover: BoolArray  # (C, R)
    local: BoolArray  # (C, R) the point's own region, where it is not also a zone
    units: tuple[tuple[str, str], ...]  # (U,) (muscle, side)
    unit_start: IntArray  # (U,) first candidate of each unit
    muscle_names: dict[str, str]
    tests: dict[str, tuple[str, ...]]  # exam test id -> muscles it implicates

    @cached_property
    def region_index(self) -> dict[str, int]:
        return {region: i for i, region in enumerate(self.regions)}

    @cached_property
    def pattern(self) -> BoolArray:
        return self.essential | self.spillover | self.local


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def compile_model(kb: Any) -> Model:
    """Build the arrays from a loaded KnowledgeBase (typed Any to keep pydantic optional)."""
    from myomap.core.kb.patterns import location_region, referral_pattern

    regions = tuple(kb.regions)
    index = {r: i for i, r in enumerate(regions)}
    mirror = np.array([index[kb.regions[r].mirror_id] for r in regions], dtype=np.int64)
    rows: list[tuple[str, str, dict[str, str]]] = []  # (point id, side, pattern)
    for point in kb.trigger_points.values():
        # A trigger point also hurts where it is: its own region is a "local" zone.
        left = {location_region(kb, point, "left"): "local"} | referral_pattern(kb, point, "left")
        right = {location_region(kb, point, "right"): "local"} | referral_pattern(
            kb, point, "right"
        )
        if left == right:
            side = "midline" if point.location.region in kb.regions else "bilateral"
            rows.append((point.id, side, left))
        else:
            rows.append((point.id, "left", left))
            rows.append((point.id, "right", right))
    rows.sort(key=lambda row: (kb.trigger_points[row[0]].muscle, row[1], row[0]))
    priors = _point_priors(kb)
    count = len(rows)
    essential = np.zeros((count, len(regions)), dtype=bool)
    spillover = np.zeros((count, len(regions)), dtype=bool)
    local = np.zeros((count, len(regions)), dtype=bool)
    prior = np.zeros(count)
    weight = np.zeros(count)
    units: list[tuple[str, str]] = []
    cand_unit = np.zeros(count, dtype=np.int64)
    for c, (point_id, side, pattern) in enumerate(rows):
        point = kb.trigger_points[point_id]
        kinds = {"essential": essential, "spillover": spillover, "local": local}
        for region, kind in pattern.items():
            kinds[kind][c, index[region]] = True
        # Prevalence studies are few and of low quality: shrink each prior halfway
        # toward the default, so the drawing, not the prior, decides close calls.
        default = _logit(params.DEFAULT_PREVALENCE)
        prior[c] = default + params.PRIOR_SHRINK * (_logit(priors[point_id]) - default)
        weight[c] = params.CONFIDENCE_WEIGHT[point.confidence]
        unit = (point.muscle, side)
        if not units or units[-1] != unit:
            units.append(unit)
        cand_unit[c] = len(units) - 1
    unit_start = np.array([int(np.argmax(cand_unit == u)) for u in range(len(units))])
    return Model(
        regions=regions,
        region_names=tuple(kb.regions[r].name for r in regions),
        mirror=mirror,
        cand_point=tuple(row[0] for row in rows),
        cand_point_name=tuple(kb.trigger_points[row[0]].name for row in rows),
        cand_muscle=tuple(kb.trigger_points[row[0]].muscle for row in rows),
        cand_side=tuple(row[1] for row in rows),
        cand_unit=cand_unit,
        prior=prior,
        weight=weight,
        essential=essential,
        spillover=spillover,
        local=local,
        units=tuple(units),
        unit_start=unit_start,
        muscle_names={m.id: m.name for m in kb.muscles.values()},
        tests={t.id: tuple(t.implicates) for t in kb.exam_tests.values() if t.implicates},
    )


def _point_priors(kb: Any) -> dict[str, float]:
    """Each point's prior probability of being active.

    Prevalence is published per muscle (the share of people with low back pain who have
    an active point anywhere in it), so it is shared out: a muscle with n points and
    prevalence p gives each point 1 - (1 - p) ** (1 / n), which makes "at least one of
    its points active" come to p again. Points of muscles without a published figure get
    the default each: we know nothing that would set them apart.
    """
    by_muscle: dict[str, list[Any]] = {}
    for point in kb.trigger_points.values():
        by_muscle.setdefault(point.muscle, []).append(point)
    priors: dict[str, float] = {}
    for points in by_muscle.values():
        published = [p.prevalence.active for p in points if p.prevalence and p.prevalence.active]
        if published:
            share = 1 - (1 - sum(published[0]) / 2) ** (1 / len(points))
        else:
            share = params.DEFAULT_PREVALENCE
        priors.update({p.id: share for p in points})
    return priors


# --------------------------------------------------------------------------- caching
_ARRAYS = (
    "mirror",
    "cand_unit",
    "prior",
    "weight",
    "essential",
    "spillover",
    "local",
    "unit_start",
)
_TUPLES = ("regions", "region_names", "cand_point", "cand_point_name", "cand_muscle", "cand_side")


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    for path in sorted(root.rglob("*.yaml")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("MYOMAP_CACHE_DIR") or Path(base) / "myomap")


def save(model: Model, path: Path) -> None:
    meta: dict[str, Any] = {name: list(getattr(model, name)) for name in _TUPLES}
    meta["units"] = [list(unit) for unit in model.units]
    meta["muscle_names"] = model.muscle_names
    meta["tests"] = {k: list(v) for k, v in model.tests.items()}
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta)), **{n: getattr(model, n) for n in _ARRAYS})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)  # atomic: a concurrent reader never sees half a file


def load(path: Path) -> Model:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {name: data[name] for name in _ARRAYS}
    fields: dict[str, Any] = {name: tuple(meta[name]) for name in _TUPLES}
    fields |= arrays
    fields["units"] = tuple((m, s) for m, s in meta["units"])
    fields["muscle_names"] = meta["muscle_names"]
    fields["tests"] = {k: tuple(v) for k, v in meta["tests"].items()}
    return Model(**fields)


_MODEL: Model | None = None


def default_model() -> Model:
    """The model of the installed knowledge base, from the cache when it is current."""
    global _MODEL
    if _MODEL is not None:
        return _MODEL
    override = os.environ.get("MYOMAP_KNOWLEDGE_DIR")
    root = Path(override) if override else KNOWLEDGE_DIR
    path = _cache_dir() / f"referral-{_fingerprint(root)}.npz"
    try:
        _MODEL = load(path)
    except (OSError, ValueError, KeyError):
        from myomap.core.kb import load_default

        _MODEL = compile_model(load_default())
        with contextlib.suppress(OSError):  # a read-only home: reason without the cache
            save(_MODEL, path)
    return _MODEL
