"""Body-map figures for the knowledge browser: a trigger point's pattern drawn on the map."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from myomap.core.bodymap.svg import render_body_map
from myomap.core.kb import KnowledgeBase
from myomap.core.kb.clinical import TriggerPoint
from myomap.core.kb.patterns import PointSide, location_region, referral_pattern

# Patterns are drawn on the client's left; the right side mirrors them.
SHOWN_SIDE: PointSide = "left"


def _names(kb: KnowledgeBase) -> dict[str, str]:
    return {region_id: region.name for region_id, region in kb.regions.items()}


def pattern_figure(kb: KnowledgeBase, points: list[TriggerPoint], title: str) -> SafeString:
    """Essential zones strong, spillover stippled, each point marked and numbered.

    Where one point's essential zone is another's spillover, essential wins.
    """
    zones: dict[str, str] = {}
    markers: list[tuple[str, str]] = []
    for number, point in enumerate(points, start=1):
        for region, kind in referral_pattern(kb, point, SHOWN_SIDE).items():
            if zones.get(region) != "zone-essential":
                zones[region] = f"zone-{kind}"
        markers.append((location_region(kb, point, SHOWN_SIDE), str(number)))
    svg = render_body_map(
        _names(kb), zone_classes=zones, markers=markers, interactive=False, title=title
    )
    # Our renderer escapes every name and label it writes.
    return mark_safe(svg)
