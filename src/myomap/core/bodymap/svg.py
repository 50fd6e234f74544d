"""Render the body map as one self-contained, accessible ``<svg>`` element.

Front view on the left, back view on the right. Regions carry their id, display name and
pain intensity as data attributes; selected regions are filled on a colour ramp, and
referred-pain zones follow the Travell & Simons convention (solid essential zone,
stippled spillover zone). No scripts and no external resources; every text is escaped.

On a narrow or touch screen the page shows one view at a time, zoomed (the viewBox of
each view is in ``data-viewbox-front`` / ``data-viewbox-back``). A region thinner than
``MIN_TARGET`` (the spine strips) gets a transparent hit area of that width on top, so
every region can be tapped with a finger.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from html import escape

from .geometry import VIEW_HEIGHT, VIEW_WIDTH, View, details, region_shapes, silhouette

HEADING_BAND = 44.0
GAP = 40.0
TOTAL_WIDTH = 2 * VIEW_WIDTH + GAP
TOTAL_HEIGHT = HEADING_BAND + VIEW_HEIGHT

_VIEWS: tuple[tuple[View, str, float], ...] = (
    ("front", "Front", 0.0),
    ("back", "Back", VIEW_WIDTH + GAP),
)
_SIDE_LABELS: Mapping[View, tuple[str, str]] = {
    "front": ("client's right", "client's left"),
    "back": ("client's left", "client's right"),
}
_CLASS_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_POINT = re.compile(r"(-?[0-9.]+),(-?[0-9.]+)")

# The smallest tappable size, in view units. The single zoomed view is drawn at 1.4 CSS px
# a unit (app.css, --bodymap-single-width: 504px for 360 units), so 18 units are 25 px,
# above the 24 px minimum target size of WCAG 2.2 (2.5.8).
MIN_TARGET = 18.0


def _ramp(i: int) -> str:
    """Intensity 1..10: pale yellow through orange to deep red."""
    stops = ((1.0, (255, 241, 160)), (4.0, (253, 186, 76)), (7.0, (235, 94, 30)),
             (10.0, (128, 0, 16)))  # fmt: skip
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if i <= b:
            t = (i - a) / (b - a)
            rgb = (round(x + (y - x) * t) for x, y in zip(ca, cb, strict=True))
            return "#" + "".join(f"{v:02x}" for v in rgb)
    return "#800010"


_R = ".myomap-bodymap"
# The web's Content-Security-Policy allows exactly this stylesheet, by its hash (the SVG is
# drawn inline in the pages, whose policy refuses any other inline style).
STYLESHEET = "\n".join(
    [
        f"{_R}{{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:100%;"
        "height:auto}",
        f"{_R} .silhouette{{fill:#f3ddcb}}",
        f"{_R} .outline{{fill:none;stroke:#7d5d4c;stroke-width:1.3;stroke-linejoin:round;"
        "pointer-events:none}",
        f"{_R} .region{{fill:#f3ddcb;stroke:#c9a690;stroke-width:.6;stroke-linejoin:round}}",
        f"{_R} .region.selected{{stroke:#9c6b52}}",
        *(f"{_R} .region.i-{i}{{fill:{_ramp(i)}}}" for i in range(1, 11)),
        f"{_R} .region.zone-spillover{{fill:url(#myomap-stipple)}}",
        f"{_R} .region.zone-essential{{fill:#c81e1e;stroke:#7f1010}}",
        f"{_R} .region[tabindex]{{cursor:pointer}}",
        f"{_R} .region[tabindex]:hover,{_R} .region.hovered{{stroke:#1d4ed8;stroke-width:1.2}}",
        f"{_R} .region[tabindex]:not(.selected):not(.zone-essential):not(.zone-spillover):hover"
        "{fill:#ebc8b0}",
        f"{_R} .region:focus{{outline:none}}",
        f"{_R} .region:focus-visible{{stroke:#1d4ed8;stroke-width:2.2}}",
        f"{_R} .details{{fill:none;stroke:#a07f6c;stroke-width:.8;stroke-linecap:round;"
        "pointer-events:none}",
        f"{_R} .heading{{font-size:20px;font-weight:600;fill:#1f2937;text-anchor:middle}}",
        f"{_R} .side{{font-size:15px;fill:#5b6472;font-style:italic}}",
        f"{_R} .caption{{font-size:11px;fill:#6b7280;text-anchor:middle}}",
        f"{_R} .hit{{fill:#000;fill-opacity:0;cursor:pointer}}",
        f"{_R} .marker{{pointer-events:none}}",
        f"{_R} .marker circle{{fill:#1e3a8a;stroke:#fff;stroke-width:1.4}}",
        f"{_R} .marker text{{fill:#fff;font-size:8.5px;font-weight:700;text-anchor:middle;"
        "dominant-baseline:central}",
    ]
)

_DEFS = (
    '<defs><pattern id="myomap-stipple" width="4" height="4" patternUnits="userSpaceOnUse">'
    '<rect width="4" height="4" fill="#fde2e2"/>'
    '<circle cx="1" cy="1" r=".75" fill="#d32f2f"/><circle cx="3" cy="3" r=".75" fill="#d32f2f"/>'
    "</pattern></defs>"
)


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _classes(*names: str) -> str:
    return " ".join(n for n in names if n)


def _hit_area(region_id: str, d: str) -> str | None:
    """A transparent rectangle at least ``MIN_TARGET`` wide and high, centred on a region
    too thin to tap; None for a region big enough on its own."""
    points = [(float(x), float(y)) for x, y in _POINT.findall(d)]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if min(x1 - x0, y1 - y0) >= MIN_TARGET:
        return None
    w, h = max(x1 - x0, MIN_TARGET), max(y1 - y0, MIN_TARGET)
    x, y = (x0 + x1 - w) / 2, (y0 + y1 - h) / 2
    return (
        f'<rect class="hit" data-region="{_attr(region_id)}" aria-hidden="true" '
        f'x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"/>'
    )


def render_body_map(
    names: Mapping[str, str],
    *,
    intensities: Mapping[str, int] | None = None,
    zone_classes: Mapping[str, str] | None = None,
    markers: Sequence[tuple[str, str]] = (),
    interactive: bool = True,
    title: str = "Body map",
) -> str:
    """The body map as one ``<svg>`` element (a string of XML).

    ``names`` maps region id -> display name (the id is used for a missing name);
    ``intensities`` region id -> 0..10 (0 or missing: not selected); ``zone_classes``
    region id -> extra CSS class(es) such as ``zone-essential`` or ``zone-spillover``;
    ``markers`` (region id, label) pairs drawn as small labelled dots (unknown ids are
    skipped). With ``interactive`` every region is focusable and acts as a toggle button.
    """
    intensities = intensities or {}
    zone_classes = zone_classes or {}
    shapes = region_shapes()
    role = (
        f'role="group" aria-label="{_attr(title)}"'
        if interactive
        else (f'role="img" aria-label="{_attr(title)}"')
    )
    boxes = " ".join(
        f'data-viewbox-{view}="{x0:g} 0 {VIEW_WIDTH:g} {TOTAL_HEIGHT:g}"' for view, _, x0 in _VIEWS
    )
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="myomap-bodymap" '
        f'viewBox="0 0 {TOTAL_WIDTH:g} {TOTAL_HEIGHT:g}" {boxes} {role}>',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLESHEET}</style>",
        _DEFS,
    ]
    by_view: dict[View, list[str]] = defaultdict(list)
    hits: dict[View, list[str]] = defaultdict(list)
    for region_id, shape in shapes.items():
        name = names.get(region_id) or region_id
        level = max(0, min(10, int(intensities.get(region_id, 0) or 0)))
        extra = " ".join(
            t for t in zone_classes.get(region_id, "").split() if _CLASS_TOKEN.match(t)
        )
        cls = _classes("region", "selected" if level else "", f"i-{level}" if level else "", extra)
        attrs = [
            f'class="{_attr(cls)}"',
            f'id="region-{_attr(region_id)}"',
            f'data-region="{_attr(region_id)}"',
            f'data-view="{shape.view}"',
            f'data-name="{_attr(name)}"',
            f'data-intensity="{level}"',
        ]
        if interactive:
            hit = _hit_area(region_id, shape.d)
            if hit:
                hits[shape.view].append(hit)
            attrs += [
                'tabindex="0"',
                'role="button"',
                f'aria-label="{_attr(name)}"',
                f'aria-pressed="{"true" if level else "false"}"',
            ]
        attrs.append(f'd="{shape.d}"')
        by_view[shape.view].append(f"<path {' '.join(attrs)}><title>{escape(name)}</title></path>")

    placed: dict[str, list[str]] = defaultdict(list)
    for region_id, label in markers:
        if region_id in shapes:
            placed[region_id].append(label)

    for view, heading, x0 in _VIEWS:
        out.extend(_view_start(view, heading, x0))
        out.append(f'<path class="silhouette" aria-hidden="true" d="{silhouette(view)}"/>')
        out.append(f'<g class="regions">{"".join(by_view[view])}</g>')
        out.append(_lines(view))
        if hits[view]:
            # drawn over the regions and the outline, so a tap near a thin region finds it
            out.append(f'<g class="hits">{"".join(hits[view])}</g>')
        out.append(_caption(view))
        for region_id, labels in placed.items():
            shape = shapes[region_id]
            if shape.view != view:
                continue
            cx, cy = shape.centroid
            for k, label in enumerate(labels):
                x = cx + (k - (len(labels) - 1) / 2) * 13
                out.append(
                    f'<g class="marker" data-region="{_attr(region_id)}">'
                    f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="6.5"/>'
                    f'<text x="{x:.1f}" y="{cy:.1f}">{escape(label)}</text></g>'
                )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _view_start(view: View, heading: str, x0: float) -> list[str]:
    """A view's heading, its group's opening tag and the labels of the client's sides."""
    left_label, right_label = _SIDE_LABELS[view]
    return [
        f'<text class="heading" x="{x0 + VIEW_WIDTH / 2:g}" y="30">{heading}</text>',
        f'<g class="view view-{view}" transform="translate({x0:g} {HEADING_BAND:g})">',
        f'<text class="side" x="10" y="96">{escape(left_label)}</text>',
        f'<text class="side" x="{VIEW_WIDTH - 10:g}" y="96" text-anchor="end">'
        f"{escape(right_label)}</text>",
    ]


def _lines(view: View) -> str:
    """The figure's outline and its details (navel, fingers...), drawn over the regions."""
    return (
        f'<path class="outline" aria-hidden="true" d="{silhouette(view)}"/>'
        '<g class="details" aria-hidden="true">'
        + "".join(f'<path d="{d}"/>' for d in details(view))
        + "</g>"
    )


def _caption(view: View) -> str:
    if view != "back":
        return ""
    return f'<text class="caption" x="{VIEW_WIDTH / 2:g}" y="{VIEW_HEIGHT - 6:g}">soles</text>'


def _document(body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="myomap-bodymap" '
        f'viewBox="0 0 {TOTAL_WIDTH:g} {TOTAL_HEIGHT:g}" '
        f'width="{TOTAL_WIDTH:g}" height="{TOTAL_HEIGHT:g}">'
        f"<style>{STYLESHEET}</style>{''.join(body)}</svg>\n"
    )


def figure_under() -> str:
    """The picture under a drawing's painted regions (`render_drawing`), a standalone SVG
    document: the headings, the sides, the silhouette and every region unpainted. The same
    for every drawing, so it is a static file the browser keeps (clients/static)."""
    shapes = region_shapes()
    body: list[str] = []
    for view, heading, x0 in _VIEWS:
        body.extend(_view_start(view, heading, x0))
        body.append(f'<path class="silhouette" d="{silhouette(view)}"/>')
        regions = "".join(
            f'<path class="region" d="{shape.d}"/>'
            for shape in shapes.values()
            if shape.view == view
        )
        body.append(f'<g class="regions">{regions}</g></g>')
    return _document(body)


def figure_over() -> str:
    """The picture over a drawing's painted regions: the outline, the details and the
    caption, on a transparent ground; a static file like `figure_under`."""
    body: list[str] = []
    for view, _, x0 in _VIEWS:
        body.append(f'<g class="view view-{view}" transform="translate({x0:g} {HEADING_BAND:g})">')
        body.append(_lines(view) + _caption(view) + "</g>")
    return _document(body)


def render_drawing(
    names: Mapping[str, str],
    intensities: Mapping[str, int],
    *,
    under: str,
    over: str,
    title: str = "Pain drawing",
) -> str:
    """A pain drawing to look at (not to edit) as one ``<svg>`` element: what
    ``render_body_map(..., interactive=False)`` draws, with only the painted regions written
    out. The rest of the figure is two pictures the browser keeps: ``under`` (the address of
    `figure_under`'s document) below the painted regions and ``over`` (`figure_over`'s)
    above them. Each painted region keeps its id, name (its ``<title>``) and intensity as
    data attributes; the element is an image named ``title``. A drawing of a few regions is
    a few kilobytes instead of a hundred."""
    shapes = region_shapes()
    image = (
        '<image aria-hidden="true" x="0" y="0" '
        f'width="{TOTAL_WIDTH:g}" height="{TOTAL_HEIGHT:g}" href="{{}}"/>'
    )
    boxes = " ".join(
        f'data-viewbox-{view}="{x0:g} 0 {VIEW_WIDTH:g} {TOTAL_HEIGHT:g}"' for view, _, x0 in _VIEWS
    )
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="myomap-bodymap" '
        f'viewBox="0 0 {TOTAL_WIDTH:g} {TOTAL_HEIGHT:g}" {boxes} '
        f'role="img" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLESHEET}</style>",
        image.format(_attr(under)),
    ]
    for view, _, x0 in _VIEWS:
        painted: list[str] = []
        for region_id, shape in shapes.items():
            level = max(0, min(10, int(intensities.get(region_id, 0) or 0)))
            if shape.view != view or not level:
                continue
            name = names.get(region_id) or region_id
            painted.append(
                f'<path class="region selected i-{level}" id="region-{_attr(region_id)}" '
                f'data-region="{_attr(region_id)}" data-view="{view}" '
                f'data-name="{_attr(name)}" data-intensity="{level}" d="{shape.d}">'
                f"<title>{escape(name)}</title></path>"
            )
        if painted:
            out.append(
                f'<g class="view view-{view}" transform="translate({x0:g} {HEADING_BAND:g})">'
                f'<g class="regions">{"".join(painted)}</g></g>'
            )
    out.append(image.format(_attr(over)))
    out.append("</svg>")
    return "".join(out)
