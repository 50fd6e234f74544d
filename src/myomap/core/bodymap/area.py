"""How much of the body a pain drawing covers: the painted regions' area as a share of
the whole figure drawn (front and back views together), and how many regions.

The areas are the drawing's own geometry (`geometry.py`), measured once: a region's
share is what it covers on the page, not a share of the skin. Two drawings are compared
on the same figure, so the change in the share is what the drawing says changed.

    >>> painted({"lumbar-upper-left": 7, "sacrum": 3}).regions
    2
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from .geometry import MIDLINE_REGIONS
from .geometry_back import back_regions
from .geometry_base import area, join_mirror
from .geometry_front import front_regions


@cache
def region_areas() -> Mapping[str, float]:
    """Every expanded region id -> its area in view units (both views)."""
    areas: dict[str, float] = {}
    for view, halves in (("front", front_regions()), ("back", back_regions())):
        near, far = ("right", "left") if view == "front" else ("left", "right")
        for base, poly in halves.items():
            if base in MIDLINE_REGIONS:
                areas[base] = abs(area(join_mirror(poly)))
            else:
                areas[f"{base}-{near}"] = areas[f"{base}-{far}"] = abs(area(poly))
    return MappingProxyType(areas)


@cache
def figure_area() -> float:
    """The whole figure drawn: every region of both views."""
    return sum(region_areas().values())


@dataclass(frozen=True)
class Painted:
    share: float
    """The painted regions' area over the whole figure's, 0..1."""
    regions: int
    """How many regions are painted (intensity above 0)."""


def painted(drawing: Mapping[str, int]) -> Painted:
    """The share and count of a drawing (region id -> intensity); unknown ids are skipped
    (the intake's checks refuse them before a drawing is stored)."""
    areas = region_areas()
    shown = [region for region, intensity in drawing.items() if intensity and region in areas]
    return Painted(sum(areas[r] for r in shown) / figure_area(), len(shown))
