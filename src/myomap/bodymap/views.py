from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from myomap.core.bodymap.svg import render_body_map
from myomap.core.kb import load_default


@require_GET
@login_required
def page(request: HttpRequest) -> HttpResponse:
    """The interactive body map. Selection happens in the browser; nothing is stored yet."""
    regions = load_default().regions
    names = {region_id: region.name for region_id, region in regions.items()}
    svg = render_body_map(names, interactive=True, title="Pain drawing")
    region_data = [
        {"id": r.id, "name": r.name, "view": r.view, "side": r.side} for r in regions.values()
    ]
    return render(
        request,
        "bodymap/page.html",
        # The SVG is built by our own renderer, which escapes every name it writes.
        {"svg": mark_safe(svg), "region_data": region_data},
    )
