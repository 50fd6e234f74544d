"""Score every candidate trigger point against many pain drawings at once.

For candidate c and drawing d (docs/reasoning.md has worked examples):

    logit(c, d) = prior(c)
                + weight(c) * [ sum over painful regions r in c's pattern:
                                    LR_painful(kind) * (0.6 + 0.04 * intensity(r)) - LR_free(kind)
                              + sum over all regions r in c's pattern: LR_free(kind) ]
                + sum of c's examination findings

    score(c, d) = 1 / (1 + exp(-logit))

Only candidates whose pattern touches the drawing (or that have a finding) are listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from myomap.core.referral import params
from myomap.core.referral.compiled import BoolArray, FloatArray, IntArray, Model
from myomap.core.referral.cover import CoverIndex, minimal_covers
from myomap.core.referral.inputs import Finding, adjustments


class Scorer:
    """The model's matrices, ready for matrix products. Build once per model."""

    def __init__(self, model: Model) -> None:
        self.model = model
        w = model.weight[:, None]
        # Per painful region: evidence for, minus the evidence against it would have had.
        gain = (
            model.essential * params.PAINFUL_ESSENTIAL
            + model.spillover * params.PAINFUL_SPILLOVER
            + model.local * params.PAINFUL_LOCAL
        )
        self.painful_gain = (w * gain).T.astype(np.float64)  # (R, C)
        free = (
            model.essential * params.FREE_ESSENTIAL
            + model.spillover * params.FREE_SPILLOVER
            + model.local * params.FREE_LOCAL
        )
        self.free_refund = (w * free).T.astype(np.float64)  # (R, C)
        self.base = model.prior + (w[:, 0] * free.sum(axis=1))  # all pattern regions pain-free
        self.pattern_t = model.pattern.T.astype(np.float64)  # (R, C)
        self.cover = CoverIndex(model)

    def logits(self, intensities: FloatArray) -> FloatArray:
        """(N, R) intensities 0..10 -> (N, C) log-odds."""
        painful = (intensities > 0).astype(np.float64)
        scale = params.INTENSITY_FLOOR + params.INTENSITY_SLOPE * intensities
        weighted = np.where(intensities > 0, scale, 0.0)
        result: FloatArray = self.base + weighted @ self.painful_gain - painful @ self.free_refund
        return result


@dataclass(frozen=True)
class Batch:
    """The reasoner's answer for N drawings, as arrays; `Explanation`s are built on demand."""

    scorer: Scorer
    intensities: FloatArray  # (N, R)
    logit: FloatArray  # (N, C)
    explained: IntArray  # (N, C) painful regions in each candidate's pattern
    listed: BoolArray  # (N, C)
    covers: list[list[int]]  # per drawing: unit indices
    finding_notes: list[dict[int, list[tuple[str, float]]]]

    def __len__(self) -> int:
        return int(self.intensities.shape[0])

    @cached_property
    def score(self) -> FloatArray:
        return 1.0 / (1.0 + np.exp(-self.logit))

    @cached_property
    def _order(self) -> tuple[IntArray, IntArray]:
        masked = np.where(self.listed, -self.logit, np.inf)
        return np.argsort(masked, axis=1, kind="stable"), self.listed.sum(axis=1)

    def ranking(self, row: int) -> list[int]:
        """Listed candidates of one drawing, best first (ties: by candidate order)."""
        order, counts = self._order
        ranked: list[int] = order[row, : counts[row]].tolist()
        return ranked


def run(
    scorer: Scorer, intensities: FloatArray, findings: Sequence[Sequence[Finding]] | None = None
) -> Batch:
    """Score, list and cover N drawings given as an (N, R) array of intensities."""
    model = scorer.model
    logit = scorer.logits(intensities)
    painful = intensities > 0
    explained = np.rint(painful.astype(np.float64) @ scorer.pattern_t).astype(np.int64)
    listed = explained > 0
    notes: list[dict[int, list[tuple[str, float]]]] = [{} for _ in range(len(intensities))]
    for row, row_findings in enumerate(findings or ()):
        if not row_findings:
            continue
        notes[row] = adjustments(row_findings, model)
        for c, effects in notes[row].items():
            logit[row, c] += sum(delta for _, delta in effects)
            listed[row, c] = True
    score = 1.0 / (1.0 + np.exp(-logit))
    # A muscle-side's score is that of its best trigger point.
    unit_scores = np.maximum.reduceat(score, model.unit_start, axis=1)
    index = scorer.cover
    targets = index.pack(painful & index.coverable)
    covers = minimal_covers(index, targets, unit_scores)
    return Batch(scorer, intensities, logit, explained, listed, covers, notes)


def to_matrix(model: Model, drawings: Sequence[Mapping[str, int]]) -> FloatArray:
    """Validated drawings -> (N, R) intensities."""
    index = model.region_index
    matrix = np.zeros((len(drawings), len(model.regions)))
    for row, drawing in enumerate(drawings):
        for region, intensity in drawing.items():
            matrix[row, index[region]] = intensity
    return matrix
