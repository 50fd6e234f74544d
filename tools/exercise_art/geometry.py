"""Plane geometry for the exercise drawings: points, polar steps and SVG path builders.

Angles are in degrees in screen coordinates: 0 points right, 90 points down, -90 up.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Pt(NamedTuple):
    x: float
    y: float

    def __add__(self, other: object) -> Pt:  # type: ignore[override]
        assert isinstance(other, Pt)
        return Pt(self.x + other.x, self.y + other.y)

    def __sub__(self, other: Pt) -> Pt:
        return Pt(self.x - other.x, self.y - other.y)

    def scaled(self, k: float) -> Pt:
        return Pt(self.x * k, self.y * k)

    def step(self, angle: float, length: float) -> Pt:
        """The point `length` away in direction `angle`."""
        a = math.radians(angle)
        return Pt(self.x + length * math.cos(a), self.y + length * math.sin(a))

    def toward(self, other: Pt, t: float) -> Pt:
        """The point a fraction `t` of the way to `other`."""
        return Pt(self.x + (other.x - self.x) * t, self.y + (other.y - self.y) * t)


def angle_of(a: Pt, b: Pt) -> float:
    return math.degrees(math.atan2(b.y - a.y, b.x - a.x))


def dist(a: Pt, b: Pt) -> float:
    return math.hypot(b.x - a.x, b.y - a.y)


def f(v: float) -> str:
    """A compact number for SVG output."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def circle_path(c: Pt, r: float) -> str:
    return (
        f"M{f(c.x - r)} {f(c.y)}a{f(r)} {f(r)} 0 1 0 {f(2 * r)} 0"
        f"a{f(r)} {f(r)} 0 1 0 {f(-2 * r)} 0Z"
    )


def capsule_path(a: Pt, ra: float, b: Pt, rb: float) -> str:
    """The outline of two circles joined by their outer tangents (a tapered limb)."""
    d = dist(a, b)
    if d <= abs(ra - rb) + 0.01:
        return circle_path(a if ra >= rb else b, max(ra, rb))
    theta = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
    phi = math.degrees(math.acos((ra - rb) / d))
    a1, a2 = a.step(theta + phi, ra), a.step(theta - phi, ra)
    b1, b2 = b.step(theta + phi, rb), b.step(theta - phi, rb)
    large_b = 1 if 2 * phi > 180 else 0
    large_a = 1 - large_b
    return (
        f"M{f(a1.x)} {f(a1.y)}L{f(b1.x)} {f(b1.y)}"
        f"A{f(rb)} {f(rb)} 0 {large_b} 0 {f(b2.x)} {f(b2.y)}"
        f"L{f(a2.x)} {f(a2.y)}"
        f"A{f(ra)} {f(ra)} 0 {large_a} 0 {f(a1.x)} {f(a1.y)}Z"
    )


def arrow_head(tip: Pt, angle: float, size: float) -> str:
    """A filled triangular head whose tip is at `tip`, pointing along `angle`."""
    back = tip.step(angle + 180, size)
    left = back.step(angle + 90, size * 0.55)
    right = back.step(angle - 90, size * 0.55)
    return f"M{f(tip.x)} {f(tip.y)}L{f(left.x)} {f(left.y)}L{f(right.x)} {f(right.y)}Z"


def arc_points(c: Pt, r: float, start: float, end: float, n: int = 24) -> list[Pt]:
    return [c.step(start + (end - start) * i / n, r) for i in range(n + 1)]


def polyline(points: list[Pt]) -> str:
    head, *rest = points
    return f"M{f(head.x)} {f(head.y)}" + "".join(f"L{f(p.x)} {f(p.y)}" for p in rest)


def smooth(points: list[Pt]) -> str:
    """A smooth path through the points (Catmull-Rom turned into cubic Béziers)."""
    if len(points) < 3:
        return polyline(points)
    out = f"M{f(points[0].x)} {f(points[0].y)}"
    ext = [points[0], *points, points[-1]]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        c1 = Pt(p1.x + (p2.x - p0.x) / 6, p1.y + (p2.y - p0.y) / 6)
        c2 = Pt(p2.x - (p3.x - p1.x) / 6, p2.y - (p3.y - p1.y) / 6)
        out += f"C{f(c1.x)} {f(c1.y)} {f(c2.x)} {f(c2.y)} {f(p2.x)} {f(p2.y)}"
    return out
