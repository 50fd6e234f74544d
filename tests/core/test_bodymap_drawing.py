"""The body map drawing: every region drawn once, on the right side, tiling the figure."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import yaml

from myomap.core.bodymap.geometry import (
    VIEW_HEIGHT,
    VIEW_WIDTH,
    Shape,
    View,
    details,
    region_shapes,
    silhouette,
)
from myomap.core.bodymap.svg import render_body_map

REGIONS_YAML = Path(__file__).parents[2] / "src" / "myomap" / "knowledge" / "regions.yaml"
MID = VIEW_WIDTH / 2
VIEWS: tuple[View, ...] = ("front", "back")
SVG = "{http://www.w3.org/2000/svg}"

Point = tuple[float, float]


@cache
def expected_regions() -> dict[str, str]:
    """Expanded region id -> view, straight from regions.yaml."""
    doc = yaml.safe_load(REGIONS_YAML.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for entry in doc["entries"]:
        if entry["side"] == "bilateral":
            out[f"{entry['id']}-left"] = entry["view"]
            out[f"{entry['id']}-right"] = entry["view"]
        else:
            out[entry["id"]] = entry["view"]
    return out


def names() -> dict[str, str]:
    return {rid: rid.replace("-", " ").capitalize() for rid in expected_regions()}


# --- a small SVG path flattener (M, L, H, V, C, Q, Z; absolute and relative) -------------

_TOKEN = re.compile(r"[MmLlHhVvCcQqZz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def flatten(d: str) -> list[list[Point]]:
    """Path data -> list of closed polygons (curves sampled)."""
    tokens = _TOKEN.findall(d)
    polys: list[list[Point]] = []
    cur: list[Point] = []
    x = y = 0.0
    cmd = ""
    i = 0

    def num() -> float:
        nonlocal i
        i += 1
        return float(tokens[i - 1])

    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "Zz":
                if cur:
                    polys.append(cur)
                    x, y = cur[0]
                cur = []
                continue
        rel = cmd.islower()
        c = cmd.upper()
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if c == "M":
            if cur:
                polys.append(cur)
            x, y = ox + num(), oy + num()
            cur = [(x, y)]
            cmd = "l" if rel else "L"
        elif c == "L":
            x, y = ox + num(), oy + num()
            cur.append((x, y))
        elif c == "H":
            x = ox + num()
            cur.append((x, y))
        elif c == "V":
            y = (y if rel else 0.0) + num()
            cur.append((x, y))
        elif c in "CQ":
            ctrl = [(ox + num(), oy + num()) for _ in range(3 if c == "C" else 2)]
            p0 = (x, y)
            pts = [p0, *ctrl]
            for k in range(1, 9):
                t = k / 8
                layer = pts
                while len(layer) > 1:
                    layer = [
                        (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
                        for a, b in itertools.pairwise(layer)
                    ]
                cur.append(layer[0])
            x, y = pts[-1]
        else:
            raise AssertionError(f"unsupported path command {cmd!r}")
    if cur:
        polys.append(cur)
    return polys


def inside(polys: list[list[Point]], p: Point) -> bool:
    """Even-odd rule over all subpaths."""
    px, py = p
    hit = False
    for poly in polys:
        n = len(poly)
        for k in range(n):
            x1, y1 = poly[k]
            x2, y2 = poly[(k + 1) % n]
            if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def bbox(polys: list[list[Point]]) -> tuple[float, float, float, float]:
    xs = [p[0] for poly in polys for p in poly]
    ys = [p[1] for poly in polys for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def shapes_of(view: View) -> dict[str, Shape]:
    return {rid: s for rid, s in region_shapes().items() if s.view == view}


def mirrored(rid: str) -> str:
    return (
        rid[: -len("-left")] + "-right"
        if rid.endswith("-left")
        else rid[: -len("-right")] + "-left"
    )


# --- one shape per region --------------------------------------------------------------------


def test_every_region_in_the_yaml_has_exactly_one_shape_and_there_are_no_extra_shapes() -> None:
    assert set(region_shapes()) == set(expected_regions())
    assert len(region_shapes()) == len(expected_regions()) == 126


def test_each_shape_is_keyed_by_its_own_id_and_drawn_in_the_view_the_yaml_gives() -> None:
    for rid, shape in region_shapes().items():
        assert shape.region_id == rid
        assert shape.view == expected_regions()[rid], rid


def test_every_centroid_lies_inside_its_own_shape_and_inside_the_view_box() -> None:
    for rid, shape in region_shapes().items():
        cx, cy = shape.centroid
        assert 0 < cx < VIEW_WIDTH and 0 < cy < VIEW_HEIGHT, rid
        assert inside(flatten(shape.d), shape.centroid), rid


# --- left and right are the client's ----------------------------------------------------------


def test_in_the_front_view_the_clients_left_is_on_the_viewers_right() -> None:
    for rid, shape in shapes_of("front").items():
        if rid.endswith("-left"):
            assert shape.centroid[0] > MID + 1, rid
        elif rid.endswith("-right"):
            assert shape.centroid[0] < MID - 1, rid


def test_in_the_back_view_the_clients_left_is_on_the_viewers_left() -> None:
    for rid, shape in shapes_of("back").items():
        if rid.endswith("-left"):
            assert shape.centroid[0] < MID - 1, rid
        elif rid.endswith("-right"):
            assert shape.centroid[0] > MID + 1, rid


def test_whole_left_and_right_shapes_stay_on_their_own_side_of_the_midline() -> None:
    for rid, shape in region_shapes().items():
        if not rid.endswith(("-left", "-right")):
            continue
        x0, _, x1, _ = bbox(flatten(shape.d))
        viewer_left = (shape.view == "front") == rid.endswith("-right")
        if viewer_left:
            assert x1 <= MID + 0.05, rid
        else:
            assert x0 >= MID - 0.05, rid


def test_midline_regions_are_centred_on_the_midline() -> None:
    for rid, shape in region_shapes().items():
        if rid.endswith(("-left", "-right")):
            continue
        assert abs(shape.centroid[0] - MID) < 0.5, rid
        x0, _, x1, _ = bbox(flatten(shape.d))
        assert abs((x0 + x1) / 2 - MID) < 0.5, rid


def test_left_and_right_shapes_are_mirror_images_about_the_midline() -> None:
    shapes = region_shapes()
    for rid, shape in shapes.items():
        if not rid.endswith("-left"):
            continue
        twin = shapes[mirrored(rid)]
        assert twin.view == shape.view
        assert math.isclose(shape.centroid[0] - MID, MID - twin.centroid[0], abs_tol=0.2), rid
        assert math.isclose(shape.centroid[1], twin.centroid[1], abs_tol=0.2), rid
        a, b = bbox(flatten(shape.d)), bbox(flatten(twin.d))
        assert math.isclose(a[0] - MID, MID - b[2], abs_tol=0.2), rid
        assert math.isclose(a[1], b[1], abs_tol=0.2), rid


# --- anatomy of the lumbopelvic area -----------------------------------------------------------


def y_of(rid: str) -> float:
    return region_shapes()[rid].centroid[1]


def test_the_lumbopelvic_regions_are_stacked_from_the_waist_down() -> None:
    order = [
        "thoracolumbar",
        "lumbar-upper",
        "lumbar-lower",
        "buttock-upper",
        "buttock-mid",
        "buttock-lower",
        "gluteal-fold",
        "thigh-posterior-proximal",
        "thigh-posterior-distal",
        "knee-back",
        "calf-upper",
        "calf-lower",
    ]
    for side in ("left", "right"):
        ys = [y_of(f"{base}-{side}") for base in order]
        assert ys == sorted(ys), list(zip(order, ys, strict=True))
    assert y_of("spine-thoracic") < y_of("spine-lumbar") < y_of("sacrum") < y_of("coccyx")


def test_the_sacroiliac_joint_sits_just_beside_the_upper_sacrum() -> None:
    sacrum = flatten(region_shapes()["sacrum"].d)
    s_x0, s_y0, s_x1, s_y1 = bbox(sacrum)
    for side in ("left", "right"):
        cx, cy = region_shapes()[f"si-joint-{side}"].centroid
        assert s_y0 < cy < (s_y0 + s_y1) / 2, "level with the upper half of the sacrum"
        gap = s_x0 - cx if cx < MID else cx - s_x1
        assert 0 < gap < 15, "just lateral to the sacrum"


def test_the_coccyx_is_at_the_bottom_of_the_sacrum_on_the_midline() -> None:
    sacrum = bbox(flatten(region_shapes()["sacrum"].d))
    coccyx = bbox(flatten(region_shapes()["coccyx"].d))
    assert math.isclose(coccyx[1], sacrum[3], abs_tol=1)
    assert coccyx[2] - coccyx[0] < sacrum[2] - sacrum[0]


def test_lateral_strips_lie_outside_the_back_of_the_limb_they_flank() -> None:
    pairs = [
        ("hip-lateral", "buttock-mid"),
        ("thigh-lateral-proximal", "thigh-posterior-proximal"),
        ("thigh-lateral-distal", "thigh-posterior-distal"),
        ("leg-lateral", "calf-upper"),
    ]
    for strip, inner in pairs:
        for side in ("left", "right"):
            d_strip = abs(region_shapes()[f"{strip}-{side}"].centroid[0] - MID)
            d_inner = abs(region_shapes()[f"{inner}-{side}"].centroid[0] - MID)
            assert d_strip > d_inner, (strip, side)


def test_the_iliac_crest_band_runs_from_the_low_back_out_to_the_side_of_the_hip() -> None:
    shapes = region_shapes()
    for side in ("left", "right"):
        crest = bbox(flatten(shapes[f"iliac-crest-{side}"].d))
        lumbar = shapes[f"lumbar-lower-{side}"].centroid
        hip = bbox(flatten(shapes[f"hip-lateral-{side}"].d))
        near = min(abs(crest[0] - MID), abs(crest[2] - MID))
        far = max(abs(crest[0] - MID), abs(crest[2] - MID))
        assert near < abs(lumbar[0] - MID) + 10
        assert far >= min(abs(hip[0] - MID), abs(hip[2] - MID)) + 5, "over the lateral hip"
        assert crest[1] < hip[1] < crest[3], "the lateral hip starts below it"
        assert (
            y_of(f"lumbar-upper-{side}") < y_of(f"iliac-crest-{side}") < y_of(f"buttock-mid-{side}")
        )


def test_the_front_view_runs_from_head_to_foot() -> None:
    for side in ("left", "right"):
        chain = ["head-front", "jaw", "neck-front", "chest-upper", "chest-lower",
                 "abdomen-upper", "abdomen-middle", "abdomen-lower", "groin",
                 "thigh-anterior-proximal", "thigh-anterior-distal", "knee-front",
                 "leg-front", "foot-top"]  # fmt: skip
        ys = [y_of(f"{base}-{side}") for base in chain]
        assert ys == sorted(ys), list(zip(chain, ys, strict=True))
        arm = ["shoulder-front", "arm-upper-front", "elbow-front", "forearm-front", "hand-palm"]
        ys = [y_of(f"{base}-{side}") for base in arm]
        assert ys == sorted(ys)
    assert y_of("suprapubic") < y_of("genital")


# --- the regions tile the figure ---------------------------------------------------------------


def scanline_cells(polys: list[list[Point]], step: float) -> set[tuple[int, int]]:
    """Grid cells (row, column) whose sample point (offset off the grid lines) lies
    inside the polygons, by the even-odd rule, found row by row."""
    cells: set[tuple[int, int]] = set()
    _, y0, _, y1 = bbox(polys)
    for row in range(math.floor(y0 / step), math.ceil(y1 / step) + 1):
        y = (row + 0.37) * step
        xs = sorted(
            x1 + (y - y1_) * (x2 - x1) / (y2 - y1_)
            for poly in polys
            for (x1, y1_), (x2, y2) in zip(poly, [*poly[1:], poly[0]], strict=True)
            if (y1_ > y) != (y2 > y)
        )
        for xa, xb in zip(xs[::2], xs[1::2], strict=True):
            first = math.ceil(xa / step - 0.53)
            last = math.floor(xb / step - 0.53)
            cells.update((row, col) for col in range(first, last + 1))
    return cells


def grid_counts(view: View, step: float = 1.3) -> tuple[int, int, int, list[tuple[int, int]]]:
    """Sample the view on a fine grid: (cells in the figure, figure cells in no region,
    cells outside the figure that a region covers, cells covered by two regions)."""
    figure = scanline_cells(flatten(silhouette(view)), step)
    seen: set[tuple[int, int]] = set()
    overlaps: list[tuple[int, int]] = []
    for shape in shapes_of(view).values():
        cells = scanline_cells(flatten(shape.d), step)
        overlaps += sorted(cells & seen)
        seen |= cells
    return len(figure), len(figure - seen), len(seen - figure), overlaps


def test_regions_of_one_view_do_not_overlap_and_cover_the_whole_figure() -> None:
    for view in VIEWS:
        total, uncovered, stray, overlaps = grid_counts(view)
        assert total > 40_000
        assert overlaps == [], (view, overlaps[:5])
        assert uncovered <= total * 0.001, (view, uncovered)
        assert stray <= total * 0.001, (view, stray)


def test_every_region_is_big_enough_to_tap() -> None:
    for rid, shape in region_shapes().items():
        x0, y0, x1, y1 = bbox(flatten(shape.d))
        assert min(x1 - x0, y1 - y0) >= 4, rid


def test_decorative_details_are_drawn_for_both_views() -> None:
    for view in VIEWS:
        strokes = details(view)
        assert len(strokes) >= 10
        for d in strokes:
            for poly in flatten(d):
                for x, y in poly:
                    assert 0 <= x <= VIEW_WIDTH and 0 <= y <= VIEW_HEIGHT


# --- the rendered SVG ---------------------------------------------------------------------------


def region_paths(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}path") if "region" in el.get("class", "").split()]


def test_the_rendered_svg_is_well_formed_and_has_a_path_per_region() -> None:
    root = ET.fromstring(render_body_map(names()))
    assert root.tag == f"{SVG}svg"
    paths = region_paths(root)
    assert len(paths) == 126
    assert {p.get("data-region") for p in paths} == set(expected_regions())
    assert {p.get("id") for p in paths} == {f"region-{r}" for r in expected_regions()}
    for p in paths:
        title = p.find(f"{SVG}title")
        assert title is not None and title.text == p.get("data-name")
    assert root.find(f"{SVG}style") is not None
    assert "<script" not in render_body_map(names())
    assert "http://" not in render_body_map(names()).replace("http://www.w3.org/2000/svg", "")


def test_the_views_and_the_clients_sides_are_labelled_on_the_drawing() -> None:
    root = ET.fromstring(render_body_map(names()))
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Front" in texts and "Back" in texts
    assert texts.count("client's right") == 2 and texts.count("client's left") == 2
    groups = {g.get("class"): g for g in root.iter(f"{SVG}g")}
    for view, first in (("front", "client's right"), ("back", "client's left")):
        labels = [
            t for t in groups[f"view view-{view}"].iter(f"{SVG}text") if t.get("class") == "side"
        ]
        leftmost = min(labels, key=lambda t: float(t.get("x", "0")))
        assert leftmost.text == first, view


def test_interactive_regions_are_keyboard_and_screen_reader_buttons() -> None:
    root = ET.fromstring(render_body_map(names(), intensities={"sacrum": 6}, title="Pain"))
    assert root.get("role") == "group" and root.get("aria-label") == "Pain"
    for p in region_paths(root):
        assert p.get("tabindex") == "0" and p.get("role") == "button"
        assert p.get("aria-label") == p.get("data-name")
        assert p.get("aria-pressed") == ("true" if p.get("data-region") == "sacrum" else "false")


def test_a_static_map_is_an_image_without_focusable_regions() -> None:
    root = ET.fromstring(render_body_map(names(), interactive=False))
    assert root.get("role") == "img"
    for p in region_paths(root):
        assert p.get("tabindex") is None and p.get("role") is None
        assert p.get("aria-pressed") is None


def test_intensity_and_zones_become_classes_and_data_attributes() -> None:
    svg = render_body_map(
        names(),
        intensities={"buttock-upper-left": 7, "sacrum": 0, "coccyx": 15},
        zone_classes={
            "si-joint-right": "zone-essential",
            "thigh-lateral-distal-left": "zone-spillover",
        },
    )
    paths = {p.get("data-region"): p for p in region_paths(ET.fromstring(svg))}
    assert paths["buttock-upper-left"].get("class", "").split() == ["region", "selected", "i-7"]
    assert paths["buttock-upper-left"].get("data-intensity") == "7"
    assert paths["sacrum"].get("class") == "region" and paths["sacrum"].get("data-intensity") == "0"
    assert "i-10" in paths["coccyx"].get("class", "").split()
    assert "zone-essential" in paths["si-joint-right"].get("class", "").split()
    assert "zone-spillover" in paths["thigh-lateral-distal-left"].get("class", "").split()
    assert 'id="myomap-stipple"' in svg and "url(#myomap-stipple)" in svg


def test_markers_are_labelled_dots_at_their_regions() -> None:
    root = ET.fromstring(render_body_map(names(), markers=[("sacrum", "1"), ("nowhere", "2")]))
    markers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "marker"]
    assert len(markers) == 1
    circle = markers[0].find(f"{SVG}circle")
    assert circle is not None
    cx, cy = region_shapes()["sacrum"].centroid
    back_group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "view view-back")
    assert markers[0] in list(back_group.iter(f"{SVG}g"))
    assert math.isclose(float(circle.get("cx", "0")), cx, abs_tol=0.1)
    assert math.isclose(float(circle.get("cy", "0")), cy, abs_tol=0.1)
    assert "".join(markers[0].itertext()) == "1"


def test_names_and_labels_are_escaped() -> None:
    evil = 'Left <b>"upper"</b> & buttock'
    svg = render_body_map(
        {**names(), "buttock-upper-left": evil},
        markers=[("sacrum", "<&>")],
        title='Map <&> "x"',
        zone_classes={"sacrum": 'zone-essential" onclick="x'},
    )
    root = ET.fromstring(svg)
    path = next(p for p in region_paths(root) if p.get("data-region") == "buttock-upper-left")
    assert path.get("data-name") == evil and path.get("aria-label") == evil
    assert "".join(path.itertext()) == evil
    assert root.get("aria-label") == 'Map <&> "x"'
    assert any("".join(g.itertext()) == "<&>" for g in root.iter(f"{SVG}g"))
    assert "onclick" not in svg
