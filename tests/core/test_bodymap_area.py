"""The pain drawing's painted area: the regions' own geometry, as a share of the whole
figure (front and back), and the number of regions painted."""

from __future__ import annotations

import pytest

from myomap.core.bodymap.area import figure_area, painted, region_areas
from myomap.core.bodymap.geometry import region_shapes


def test_every_region_of_the_map_has_an_area() -> None:
    areas = region_areas()
    assert set(areas) == set(region_shapes())
    assert all(a > 0 for a in areas.values())


def test_left_and_right_are_the_same_size() -> None:
    areas = region_areas()
    assert areas["lumbar-upper-left"] == areas["lumbar-upper-right"]


def test_the_whole_figure_painted_is_all_of_it_and_nothing_is_none() -> None:
    assert painted({r: 5 for r in region_areas()}).share == pytest.approx(1.0)
    assert painted({}) == painted({"sacrum": 0})
    assert painted({}).share == 0 and painted({}).regions == 0


def test_a_low_back_drawing_is_a_small_share_that_adds_up() -> None:
    areas = region_areas()
    drawing = {"lumbar-upper-left": 7, "lumbar-lower-left": 5, "sacrum": 3}
    found = painted(drawing)
    assert found.regions == 3
    assert found.share == pytest.approx(sum(areas[r] for r in drawing) / figure_area())
    assert 0.01 < found.share < 0.03


def test_more_regions_cover_more() -> None:
    fewer = painted({"sacrum": 3})
    more = painted({"sacrum": 3, "buttock-upper-left": 4})
    assert more.share > fewer.share and more.regions == fewer.regions + 1


def test_an_unknown_region_is_skipped() -> None:
    assert painted({"tail": 5, "sacrum": 3}) == painted({"sacrum": 3})
