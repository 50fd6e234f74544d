from functools import lru_cache

import numpy as np
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from myomap.core.bodymap.svg import render_body_map
from myomap.core.kb import load_default
from myomap.core.referral import InputError, explain, scorer
from myomap.core.referral.compiled import Model
from myomap.core.referral.inputs import parse_region


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


CANDIDATES_SHOWN = 8
ZONE_KINDS = ("essential", "spillover", "local")


@lru_cache(maxsize=4096)
def _pattern(model: Model, candidate: int) -> dict[str, list[str]]:
    """A candidate's whole referral pattern, region ids by kind: fixed by the knowledge base,
    so built once per candidate, not on every request (the model is hashed by identity)."""
    return {
        kind: [model.regions[i] for i in np.flatnonzero(getattr(model, kind)[candidate])]
        for kind in ZONE_KINDS
    }


@require_GET
@login_required
def candidates(request: HttpRequest) -> JsonResponse:
    """The referral reasoning for the drawing in `?r=ID:INTENSITY&r=...`, with each
    candidate's whole pattern so the page can lay it over the drawing."""
    model = scorer().model
    try:
        drawing = dict(parse_region(text, model) for text in request.GET.getlist("r")[:200])
        result = explain(drawing, top=CANDIDATES_SHOWN)
    except InputError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    rows = []
    for c in result.candidates:
        rows.append(
            {
                "trigger_point": c.trigger_point,
                "name": c.trigger_point_name,
                "muscle": c.muscle,
                "muscle_name": c.muscle_name,
                "side": c.side,
                "score": round(c.score, 2),
                "explains": [[result.region_names[r], kind] for r, kind in c.zone_of],
                "pain_free_essential": [result.region_names[r] for r in c.free_essential],
                "pattern": _pattern(model, c.index),
                "url": reverse("reference:muscle", args=[c.muscle]) + f"#{c.trigger_point}",
            }
        )
    return JsonResponse(
        {
            "candidates": rows,
            "cover": [
                {"muscle": i.muscle_name, "side": i.side, "explains": len(i.explains)}
                for i in result.cover
            ],
            "unexplained": [result.region_names[r] for r in result.unexplained],
            "message": result.message,
        }
    )
