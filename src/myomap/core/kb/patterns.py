"""A trigger point's referral pattern on a given side of the body, as concrete regions.

Trigger points are written side-agnostically (zones are base region ids). When the point
is on the client's left, an ipsilateral pattern lies on the left; a bilateral pattern
lies on both sides whatever side the point is on; midline regions stay midline.
For example a left gluteus medius point with zones [si-joint (essential), sacrum
(spillover)] gives {"si-joint-left": "essential", "sacrum": "spillover"}.
"""

from __future__ import annotations

from typing import Literal

from myomap.core.kb.clinical import TriggerPoint
from myomap.core.kb.loader import KnowledgeBase

ZoneKind = Literal["essential", "spillover"]
PointSide = Literal["left", "right"]


def sided(kb: KnowledgeBase, base: str, side: PointSide) -> list[str]:
    """The concrete region ids of a base region on one side (midline: itself)."""
    return [base] if base in kb.regions else [f"{base}-{side}"]


def referral_pattern(
    kb: KnowledgeBase, point: TriggerPoint, side: PointSide
) -> dict[str, ZoneKind]:
    """Concrete region id -> essential/spillover for `point` on the client's `side`.

    A region listed as essential is never downgraded by a later spillover entry.
    """
    sides: tuple[PointSide, ...] = ("left", "right") if point.laterality == "bilateral" else (side,)
    pattern: dict[str, ZoneKind] = {}
    for zone in point.zones:
        for each in sides:
            for region in sided(kb, zone.region, each):
                if pattern.get(region) != "essential":
                    pattern[region] = zone.kind
    return pattern


def location_region(kb: KnowledgeBase, point: TriggerPoint, side: PointSide) -> str:
    """The concrete region where the trigger point itself lies."""
    return sided(kb, point.location.region, side)[0]
