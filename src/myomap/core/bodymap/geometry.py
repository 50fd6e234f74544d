"""The body map's shapes: a human figure in front and back view, divided into regions.

Each view has its own coordinate box (``VIEW_WIDTH`` x ``VIEW_HEIGHT``, y downwards)
with the figure's midline at ``VIEW_WIDTH / 2``. Left and right are the CLIENT's: in the
front view the client's right is on the viewer's left; in the back view the client's
left is on the viewer's left. The regions of one view tile the figure: neighbours share
their borders point for point, nothing overlaps and all lies inside the silhouette.

Pure standard library; the shapes are computed once and cached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Literal

from .geometry_back import OUTLINE as BACK_OUTLINE
from .geometry_back import back_details, back_regions, sole
from .geometry_base import Point, Poly, join_mirror, label_point
from .geometry_front import OUTLINE as FRONT_OUTLINE
from .geometry_front import front_details, front_regions

View = Literal["front", "back"]

VIEW_WIDTH: float = 360.0
VIEW_HEIGHT: float = 952.0
MIDLINE: float = VIEW_WIDTH / 2

# Regions that are one shape across the midline; every other region is bilateral.
MIDLINE_REGIONS: frozenset[str] = frozenset(
    {"suprapubic", "genital", "sacrum", "coccyx", "spine-thoracic", "spine-lumbar"}
)


@dataclass(frozen=True)
class Shape:
    """One clickable region of the drawing."""

    region_id: str  # expanded id, e.g. "buttock-upper-left"
    view: View
    d: str  # SVG path data in that view's coordinates
    centroid: tuple[float, float]  # a point inside the shape, for labels and markers


def _num(v: float) -> str:
    text = f"{v:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _path(poly: Sequence[Point], side: int, closed: bool = True) -> str:
    """Path data of a half-coordinate polyline; ``side`` -1 draws it on the viewer's
    left of the midline, +1 on the viewer's right."""
    pts = [f"{_num(MIDLINE + side * dx)},{_num(y)}" for dx, y in poly]
    return "M" + pts[0] + "L" + " ".join(pts[1:]) + ("Z" if closed else "")


def _point(p: Point, side: int) -> tuple[float, float]:
    return (round(MIDLINE + side * p[0], 2), round(p[1], 2))


def _view_shapes(view: View, halves: Mapping[str, Poly]) -> list[Shape]:
    # the half that was drawn sits on the viewer's left: the client's right in the
    # front view, the client's left in the back view
    near, far = ("right", "left") if view == "front" else ("left", "right")
    shapes: list[Shape] = []
    for base, poly in halves.items():
        if base in MIDLINE_REGIONS:
            whole = join_mirror(poly)
            c = label_point(whole)
            shapes.append(Shape(base, view, _path(whole, -1), _point((0.0, c[1]), -1)))
            continue
        c = label_point(poly)
        shapes.append(Shape(f"{base}-{near}", view, _path(poly, -1), _point(c, -1)))
        shapes.append(Shape(f"{base}-{far}", view, _path(poly, 1), _point(c, 1)))
    return shapes


@cache
def _shapes() -> Mapping[str, Shape]:
    shapes = _view_shapes("front", front_regions()) + _view_shapes("back", back_regions())
    return MappingProxyType({s.region_id: s for s in shapes})


def region_shapes() -> Mapping[str, Shape]:
    """Every expanded region id -> its shape (front-view regions first)."""
    return _shapes()


def silhouette(view: View) -> str:
    """Path data of the whole figure's outline in ``view`` (drawn under the regions)."""
    return _silhouette(view)


@cache
def _silhouette(view: View) -> str:
    if view == "front":
        return _path(join_mirror(FRONT_OUTLINE), -1)
    soles = sole()
    return " ".join([_path(join_mirror(BACK_OUTLINE), -1), _path(soles, -1), _path(soles, 1)])


def details(view: View) -> Sequence[str]:
    """Decorative, non-clickable strokes drawn over the regions: a hint of the face,
    collarbones, navel, kneecaps and toes in front; the spine, shoulder blades,
    gluteal cleft, knee creases and Achilles tendons behind."""
    return _details(view)


@cache
def _details(view: View) -> tuple[str, ...]:
    half, middle = front_details() if view == "front" else back_details()
    paths: list[str] = []
    for stroke in half:
        closed = stroke[0] == stroke[-1]
        paths.append(_path(stroke, -1, closed))
        paths.append(_path(stroke, 1, closed))
    for stroke in middle:
        paths.append(_path(stroke, -1, stroke[0] == stroke[-1]))
    return tuple(paths)


__all__ = [
    "MIDLINE",
    "VIEW_HEIGHT",
    "VIEW_WIDTH",
    "Shape",
    "View",
    "details",
    "region_shapes",
    "silhouette",
]
