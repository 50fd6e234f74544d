"""Plane-geometry toolkit for the body map: smooth curves, polygon splitting, mirroring.

The figure is drawn for ONE half only, in "half coordinates" ``(dx, y)``: ``dx`` is the
distance from the vertical midline (0 on the midline, growing outwards), ``y`` grows
downwards like SVG. The half figure is a polygon that is cut, piece by piece, by
polylines into regions; every cut is shared verbatim by the two pieces it separates, so
the regions tile the half figure exactly. The other half is its mirror image, and
midline regions are a half piece joined with its mirror.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

Point = tuple[float, float]
Poly = list[Point]

_EPS = 1e-9


def spline(points: Sequence[Point], step: float = 3.5) -> Poly:
    """A smooth curve through ``points`` (uniform Catmull-Rom), sampled about every ``step``."""
    pts = list(points)
    if len(pts) < 3:
        return pts
    ext = [_reflect(pts[1], pts[0]), *pts, _reflect(pts[-2], pts[-1])]
    out: Poly = [pts[0]]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        b1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        b2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        n = max(2, math.ceil(math.dist(p1, p2) / step))
        for k in range(1, n + 1):
            out.append(_bezier(p1, b1, b2, p2, k / n))
    return simplify(out, 0.06)


def simplify(pts: Sequence[Point], tolerance: float) -> Poly:
    """Drop points of a polyline that lie within ``tolerance`` of it (Douglas-Peucker)."""
    if len(pts) < 3:
        return list(pts)
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        ln = math.hypot(bx - ax, by - ay) or 1.0
        far, far_d = a, 0.0
        for i in range(a + 1, b):
            d = abs((bx - ax) * (ay - pts[i][1]) - (ax - pts[i][0]) * (by - ay)) / ln
            if d > far_d:
                far, far_d = i, d
        if far_d > tolerance:
            keep[far] = True
            stack += [(a, far), (far, b)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def chain(*parts: Sequence[Point]) -> Poly:
    """Join curves end to start, dropping the duplicated joint points."""
    out: Poly = []
    for part in parts:
        for p in part:
            if not out or math.dist(out[-1], p) > 1e-6:
                out.append(p)
    return out


def _reflect(a: Point, b: Point) -> Point:
    return (2 * b[0] - a[0], 2 * b[1] - a[1])


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, t: float) -> Point:
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (
        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    )


def area(poly: Sequence[Point]) -> float:
    """Signed area (shoelace)."""
    s = 0.0
    for (x1, y1), (x2, y2) in zip(poly, [*poly[1:], poly[0]], strict=True):
        s += x1 * y2 - x2 * y1
    return s / 2


def contains(poly: Sequence[Point], p: Point) -> bool:
    """Even-odd point-in-polygon test."""
    x, y = p
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def edge_distance(poly: Sequence[Point], p: Point) -> float:
    """Distance from ``p`` to the nearest edge of ``poly``."""
    best = math.inf
    n = len(poly)
    for i in range(n):
        ax, ay = poly[i]
        bx, by = poly[(i + 1) % n]
        vx, vy = bx - ax, by - ay
        ll = vx * vx + vy * vy
        t = 0.0 if ll == 0 else max(0.0, min(1.0, ((p[0] - ax) * vx + (p[1] - ay) * vy) / ll))
        best = min(best, math.hypot(ax + t * vx - p[0], ay + t * vy - p[1]))
    return best


def label_point(poly: Sequence[Point]) -> Point:
    """A point well inside ``poly``: the area centroid if it is comfortably inside,
    otherwise the grid point farthest from the edges (pole of inaccessibility, roughly)."""
    a = area(poly)
    cx = cy = 0.0
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        f = x1 * y2 - x2 * y1
        cx += (x1 + x2) * f
        cy += (y1 + y2) * f
    c = (cx / (6 * a), cy / (6 * a))
    xs = [p[0] for p in poly]
    ys = [p[1] for p in poly]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    if contains(poly, c) and edge_distance(poly, c) >= 0.3 * min(w, h) / 2:
        return c
    best, best_score = c, -math.inf
    steps = 24
    for i in range(1, steps):
        for j in range(1, steps):
            q = (min(xs) + w * i / steps, min(ys) + h * j / steps)
            if not contains(poly, q):
                continue
            score = edge_distance(poly, q) - 0.02 * math.dist(q, c)
            if score > best_score:
                best, best_score = q, score
    return best


def _intersect(p: Point, p2: Point, q: Point, q2: Point) -> tuple[float, float] | None:
    """Parameters (t on p-p2, s on q-q2) of the crossing of two segments, half-open."""
    rx, ry = p2[0] - p[0], p2[1] - p[1]
    sx, sy = q2[0] - q[0], q2[1] - q[1]
    den = rx * sy - ry * sx
    if abs(den) < 1e-12:
        return None
    qx, qy = q[0] - p[0], q[1] - p[1]
    t = (qx * sy - qy * sx) / den
    s = (qx * ry - qy * rx) / den
    if 0 <= t < 1 and 0 <= s < 1:
        return t, s
    return None


def _cut(poly: Poly, line: Sequence[Point]) -> tuple[Poly, Poly, Poly]:
    """Split ``poly`` along ``line`` (which must start outside and cross the boundary
    at least twice; the first two crossings are used). Returns both pieces and the
    part of the line inside the polygon."""
    n = len(poly)
    hits: list[tuple[float, float, Point]] = []
    for j in range(len(line) - 1):
        for i in range(n):
            r = _intersect(line[j], line[j + 1], poly[i], poly[(i + 1) % n])
            if r is not None:
                a, b = poly[i], poly[(i + 1) % n]
                x = a[0] + r[1] * (b[0] - a[0])
                y = a[1] + r[1] * (b[1] - a[1])
                if abs(a[0]) < _EPS and abs(b[0]) < _EPS:
                    x = 0.0  # stay exactly on the midline
                hits.append((j + r[0], i + r[1], (x, y)))
    if len(hits) < 2:
        raise ValueError(f"cut crosses the piece {len(hits)} time(s), needs 2")
    hits.sort()
    (ca, pa, pt_a), (cb, pb, pt_b) = hits[0], hits[1]
    inner = [pt_a, *line[int(ca) + 1 : int(cb) + 1], pt_b]

    def walk(frm: float, to: float) -> Poly:
        count = (int(to) - int(frm)) % n
        if count == 0 and to < frm:
            count = n
        return [poly[(int(frm) + 1 + m) % n] for m in range(count)]

    one = chain([pt_a], walk(pa, pb), [pt_b], inner[-2:0:-1])
    two = chain([pt_b], walk(pb, pa), [pt_a], inner[1:-1])
    return one, two, inner


def _side_test(inner: Poly, normal: Callable[[float, float], Point]) -> Point:
    k = (len(inner) - 1) // 2
    (x1, y1), (x2, y2) = inner[k], inner[k + 1]
    nx, ny = normal(x2 - x1, y2 - y1)
    ln = math.hypot(nx, ny) or 1.0
    return ((x1 + x2) / 2 + 0.01 * nx / ln, (y1 + y2) / 2 + 0.01 * ny / ln)


def hsplit(poly: Poly, line: Sequence[Point]) -> tuple[Poly, Poly]:
    """Cut a piece by a roughly horizontal line; returns (upper, lower)."""
    one, two, inner = _cut(poly, line)
    q = _side_test(inner, lambda vx, vy: (vy, -vx) if vx > 0 else (-vy, vx))
    return (one, two) if contains(one, q) else (two, one)


def vsplit(poly: Poly, line: Sequence[Point]) -> tuple[Poly, Poly]:
    """Cut a piece by a roughly vertical line; returns (inner, outer) - inner is nearer
    the midline."""
    one, two, inner = _cut(poly, line)
    q = _side_test(inner, lambda vx, vy: (-vy, vx) if vy > 0 else (vy, -vx))
    return (one, two) if contains(one, q) else (two, one)


def cut_out(poly: Poly, line: Sequence[Point], inside: Point) -> tuple[Poly, Poly]:
    """Cut a piece by a line that enters and leaves it on the same side (a U, say);
    returns (the piece holding ``inside``, the rest)."""
    one, two, _ = _cut(poly, line)
    return (one, two) if contains(one, inside) else (two, one)


def weld(pieces: dict[str, Poly], cell: float = 6.0) -> dict[str, Poly]:
    """Remove T-junctions: where a corner of one piece lies on another piece's edge,
    add it to that edge too, so that neighbours share every vertex (and stay
    watertight after the coordinates are rounded)."""
    grid: dict[tuple[int, int], set[Point]] = {}
    for poly in pieces.values():
        for p in poly:
            grid.setdefault((int(p[0] // cell), int(p[1] // cell)), set()).add(p)
    out: dict[str, Poly] = {}
    for key, poly in pieces.items():
        welded: Poly = []
        for a, b in zip(poly, [*poly[1:], poly[0]], strict=True):
            welded.append(a)
            vx, vy = b[0] - a[0], b[1] - a[1]
            ll = vx * vx + vy * vy
            if ll == 0:
                continue
            found: list[tuple[float, Point]] = []
            for gx in range(int(min(a[0], b[0]) // cell), int(max(a[0], b[0]) // cell) + 1):
                for gy in range(int(min(a[1], b[1]) // cell), int(max(a[1], b[1]) // cell) + 1):
                    for q in grid.get((gx, gy), ()):
                        s = ((q[0] - a[0]) * vx + (q[1] - a[1]) * vy) / ll
                        if 1e-9 < s < 1 - 1e-9:
                            off = abs(vx * (q[1] - a[1]) - vy * (q[0] - a[0])) / math.sqrt(ll)
                            if off < 1e-6:
                                found.append((s, q))
            welded += [q for _, q in sorted(found)]
        out[key] = chain(welded)
    return out


def mirror(poly: Sequence[Point]) -> Poly:
    return [(-x, y) for x, y in poly]


def join_mirror(poly: Poly) -> Poly:
    """A half piece lying against the midline joined with its mirror image into one
    symmetric polygon (for midline regions and the silhouette)."""
    on = [abs(p[0]) < _EPS for p in poly]
    n = len(poly)
    # rotate so that the polygon starts just after a run of midline points
    start = next(i for i in range(n) if not on[i] and on[i - 1])
    ring = poly[start:] + poly[:start]
    on = on[start:] + on[:start]
    last_off = max(i for i in range(n) if not on[i])
    outer = ring[: last_off + 1]
    if not all(not o for o in on[: last_off + 1]) or not all(on[last_off + 1 :]):
        raise ValueError("a piece may touch the midline along one stretch only")
    first_mid, last_mid = ring[last_off + 1], ring[-1]
    return chain(
        [(0.0, last_mid[1])], outer, [(0.0, first_mid[1])], [(-x, y) for x, y in reversed(outer)]
    )


def crossings(poly: Sequence[Point], y: float) -> list[float]:
    """The x values where the horizontal line at ``y`` crosses the polygon, sorted."""
    xs: list[float] = []
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return sorted(xs)


def between(
    outline: Sequence[Point], y0: float, y1: float, frac: Callable[[float], float], step: float = 5
) -> Poly:
    """A curve down a limb or the trunk: at each height, the point a fraction ``frac(y)``
    of the way from the inner contour (first crossing) to the outer one (second)."""
    out: Poly = []
    n = max(2, math.ceil((y1 - y0) / step))
    for k in range(n + 1):
        y = y0 + (y1 - y0) * k / n
        xs = crossings(outline, y)
        out.append((xs[0] + frac(y) * (xs[1] - xs[0]), y))
    return out


def inset(
    outline: Sequence[Point], y0: float, y1: float, width: Callable[[float], float], step: float = 5
) -> Poly:
    """A curve following the outer contour (second crossing) at ``width(y)`` inside it."""
    out: Poly = []
    n = max(2, math.ceil((y1 - y0) / step))
    for k in range(n + 1):
        y = y0 + (y1 - y0) * k / n
        out.append((crossings(outline, y)[1] - width(y), y))
    return out


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def ramp(y: float, stops: Sequence[tuple[float, float]]) -> float:
    """Piecewise-linear function of ``y`` through ``stops`` (y, value), clamped."""
    if y <= stops[0][0]:
        return stops[0][1]
    for (ya, va), (yb, vb) in itertools.pairwise(stops):
        if y <= yb:
            return lerp(va, vb, (y - ya) / (yb - ya))
    return stops[-1][1]
