"""One illustration: background, floor, props, the figure, the target muscle and arrows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from exercise_art.figure import Body, Front, Side
from exercise_art.geometry import (
    Pt,
    angle_of,
    arc_points,
    arrow_head,
    capsule_path,
    f,
    smooth,
)

WIDTH, HEIGHT = 320, 200
FLOOR = 182.0
MUSCLE = "#e2553f"  # the muscle stretched, strengthened or released
MOVE = "#0f7c86"  # arrows: the movement to make
PROP, PROP_LINE = "#d9c7a7", "#9b8664"  # wood, towel, strap
BALL, BALL_LINE = "#f0a93b", "#b2741a"
MAT, MAT_LINE = "#bfe0d9", "#7db4a8"


def along(a: Pt, b: Pt, t: float, offset: float = 0.0) -> Pt:
    """The point a fraction `t` from a to b, moved `offset` to the right of a->b."""
    return a.toward(b, t).step(angle_of(a, b) + 90, offset)


@dataclass
class Scene:
    title: str
    description: str
    under: list[str] = field(default_factory=list)
    over: list[str] = field(default_factory=list)
    body: Body | None = None

    # ------------------------------------------------------------------ the figure
    def pose(self, pose: Side | Front, ground: float | None = FLOOR) -> Body:
        """Place the figure; with `ground` its lowest point rests on that line."""
        body = pose.build()
        if ground is not None:
            shift = ground - body.lowest()
            body = _shifted(pose, shift)
        self.body = body
        return body

    # ------------------------------------------------------------------ the setting
    def floor(self, y: float = FLOOR) -> None:
        self.under.append(
            f'<path d="M14 {f(y)}H306" stroke="#9fb0c0" stroke-width="2" stroke-linecap="round"/>'
        )

    def mat(self, x0: float, x1: float, y: float = FLOOR) -> None:
        self.floor(y + 4)
        self.under.append(
            f'<rect x="{f(x0)}" y="{f(y)}" width="{f(x1 - x0)}" height="5" rx="2.5" '
            f'fill="{MAT}" stroke="{MAT_LINE}" stroke-width="1.2"/>'
        )

    def mat_band(self, x0: float, x1: float, back: float, front: float = FLOOR) -> None:
        """A mat seen a little from above, for figures lying on their side."""
        self.floor(front + 4)
        self.under.append(
            f'<path d="M{f(x0 + 14)} {f(back)}H{f(x1 + 14)}L{f(x1)} {f(front)}H{f(x0)}Z" '
            f'fill="{MAT}" stroke="{MAT_LINE}" stroke-width="1.2" stroke-linejoin="round"/>'
        )

    def wall(self, x: float, top: float = 18, y: float = FLOOR) -> None:
        self.under.append(
            f'<rect x="{f(x)}" y="{f(top)}" width="10" height="{f(y - top + 2)}" '
            f'fill="#dfe6ec" stroke="#9fb0c0" stroke-width="1.2"/>'
        )

    def chair(self, seat: Pt, width: float = 44, back: bool = True, y: float = FLOOR) -> None:
        """A simple chair seen from the side; `seat` is the front end of its seat top."""
        x0, x1 = seat.x - width, seat.x
        legs = f"M{f(x0 + 4)} {f(seat.y + 4)}V{f(y)}M{f(x1 - 4)} {f(seat.y + 4)}V{f(y)}" + (
            f"M{f(x0 + 3)} {f(seat.y)}L{f(x0 - 4)} {f(seat.y - 50)}" if back else ""
        )
        self.under.append(
            f'<path d="{legs}" stroke="{PROP_LINE}" stroke-width="4" '
            f'stroke-linecap="round" fill="none"/>'
            f'<rect x="{f(x0)}" y="{f(seat.y)}" width="{f(width)}" height="6" rx="3" '
            f'fill="{PROP}" stroke="{PROP_LINE}" stroke-width="1.2"/>'
        )

    def stool(self, seat: Pt, width: float, y: float = FLOOR) -> None:
        """A stool or chair seen from the front; `seat` is the middle of its seat top."""
        x0, x1 = seat.x - width / 2, seat.x + width / 2
        self.under.append(
            f'<path d="M{f(x0 + 5)} {f(seat.y)}V{f(y)}M{f(x1 - 5)} {f(seat.y)}V{f(y)}" '
            f'stroke="{PROP_LINE}" stroke-width="4" stroke-linecap="round"/>'
            f'<rect x="{f(x0)}" y="{f(seat.y)}" width="{f(width)}" height="7" rx="3" '
            f'fill="{PROP}" stroke="{PROP_LINE}" stroke-width="1.2"/>'
        )

    def towel(self, c: Pt, r: float = 6.5) -> None:
        self.under.append(
            f'<circle cx="{f(c.x)}" cy="{f(c.y)}" r="{f(r)}" fill="{PROP}" '
            f'stroke="{PROP_LINE}" stroke-width="1.2"/>'
            f'<path d="M{f(c.x - r * 0.5)} {f(c.y)}a{f(r * 0.5)} {f(r * 0.5)} 0 1 1 '
            f'{f(r * 0.5)} {f(r * 0.5)}" fill="none" stroke="{PROP_LINE}" stroke-width="1"/>'
        )

    def ball(self, c: Pt, r: float = 7.0, front: bool = False) -> None:
        seam = f"M{f(c.x - r * 0.8)} {f(c.y - r * 0.45)}q{f(r * 0.8)} {f(r * 0.7)} {f(r * 1.6)} 0"
        shape = (
            f'<circle cx="{f(c.x)}" cy="{f(c.y)}" r="{f(r)}" fill="{BALL}" '
            f'stroke="{BALL_LINE}" stroke-width="1.3"/>'
            f'<path d="{seam}" fill="none" stroke="#fff3d6" stroke-width="1.2"/>'
        )
        (self.over if front else self.under).append(shape)

    def strap(self, points: list[Pt]) -> None:
        self.over.append(
            f'<path d="{smooth(points)}" fill="none" stroke="{PROP_LINE}" stroke-width="2.4" '
            f'stroke-linecap="round"/>'
        )

    def prop(self, svg: str, front: bool = False) -> None:
        (self.over if front else self.under).append(svg)

    # ------------------------------------------------------------------ the message
    def muscle(self, a: Pt, b: Pt, ra: float = 3.6, rb: float | None = None) -> None:
        """Mark the target muscle as a soft band from a to b."""
        self.over.append(
            f'<path d="{capsule_path(a, ra, b, ra if rb is None else rb)}" fill="{MUSCLE}" '
            f'fill-opacity="0.82" stroke="#fff" stroke-opacity="0.7" stroke-width="0.8"/>'
        )

    def spot(self, c: Pt, r: float = 4.5) -> None:
        """A tender spot under pressure: a dot with a halo."""
        self.over.append(
            f'<circle cx="{f(c.x)}" cy="{f(c.y)}" r="{f(r + 3.5)}" fill="{MUSCLE}" '
            f'fill-opacity="0.25"/><circle cx="{f(c.x)}" cy="{f(c.y)}" r="{f(r)}" '
            f'fill="{MUSCLE}" fill-opacity="0.85"/>'
        )

    def arrow(self, a: Pt, b: Pt, head: float = 7.5) -> None:
        ang = angle_of(a, b)
        end = b.step(ang + 180, head * 0.8)
        self._arrow_svg(f"M{f(a.x)} {f(a.y)}L{f(end.x)} {f(end.y)}", b, ang, head)

    def arc(self, c: Pt, r: float, start: float, end: float, head: float = 7.5) -> None:
        """A curved arrow around c from angle `start` to `end` (screen degrees)."""
        sweep = 1 if end > start else -1
        trim = math.degrees(head * 0.8 / r) * sweep
        pts = arc_points(c, r, start, end - trim)
        tip = c.step(end, r)
        tangent = end + 90 * sweep - math.degrees(head * 0.4 / r) * sweep
        self._arrow_svg(smooth(pts), tip, tangent, head)

    def _arrow_svg(self, d: str, tip: Pt, ang: float, head: float) -> None:
        self.over.append(
            f'<path d="{d}" fill="none" stroke="#fff" stroke-width="5.5" '
            f'stroke-linecap="round" stroke-opacity="0.8"/>'
            f'<path d="{d}" fill="none" stroke="{MOVE}" stroke-width="2.6" '
            f'stroke-linecap="round"/>'
            f'<path d="{arrow_head(tip, ang, head)}" fill="{MOVE}" stroke="{MOVE}" '
            f'stroke-width="1" stroke-linejoin="round"/>'
        )

    # ------------------------------------------------------------------ output
    def svg(self) -> str:
        assert self.body is not None, "a scene needs a figure"
        parts = [
            f'<rect x="1" y="1" width="{WIDTH - 2}" height="{HEIGHT - 2}" rx="10" fill="#f5f8fa"/>',
            *self.under,
            *self.body.back,
            *self.body.middle,
            *self.body.front,
            *self.over,
        ]
        body = "\n  ".join(parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="title desc">\n'
            f'  <title id="title">{escape(self.title)}</title>\n'
            f'  <desc id="desc">{escape(self.description)}</desc>\n'
            f"  {body}\n</svg>\n"
        )


def _shifted(pose: Side | Front, dy: float) -> Body:
    from dataclasses import replace

    if isinstance(pose, Side):
        return replace(pose, hip=Pt(pose.hip.x, pose.hip.y + dy)).build()
    return replace(pose, pelvis=Pt(pose.pelvis.x, pose.pelvis.y + dy)).build()
