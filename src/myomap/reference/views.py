"""Knowledge browser pages: read-only views over the knowledge base (no health data)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from myomap.core.kb import KnowledgeBase, load_default
from myomap.core.kb.clinical import Exercise
from myomap.core.kb.models import Source
from myomap.core.kb.search import Hit, search
from myomap.reference.figures import SHOWN_SIDE, pattern_figure

T = TypeVar("T")


def _get(mapping: Mapping[str, T], key: str) -> T:
    try:
        return mapping[key]
    except KeyError:
        raise Http404("No such entry in the knowledge base") from None


def _sources(kb: KnowledgeBase, *groups: Iterable[str]) -> list[Source]:
    """The sources one page cites, each once, in order of first citation."""
    seen: dict[str, Source] = {}
    for ids in groups:
        for source_id in ids:
            seen.setdefault(source_id, kb.sources[source_id])
    return list(seen.values())


def _hit_url(kb: KnowledgeBase, hit: Hit) -> str | None:
    if hit.kind == "muscles":
        return reverse("reference:muscle", args=[hit.entry_id])
    if hit.kind == "trigger_points":
        muscle_id = kb.trigger_points[hit.entry_id].muscle
        return reverse("reference:muscle", args=[muscle_id]) + f"#{hit.entry_id}"
    if hit.kind == "exercises":
        return reverse("reference:exercise", args=[hit.entry_id])
    if hit.kind == "regions":
        return reverse("reference:region", args=[hit.entry_id])
    if hit.kind in ("red_flags", "contraindications", "techniques"):
        return reverse("reference:safety") + f"#{hit.entry_id}"
    return None


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    kb = load_default()
    query = request.GET.get("q", "").strip()[:100]
    by_category: dict[str, list[Exercise]] = defaultdict(list)
    for exercise in kb.exercises.values():
        by_category[exercise.category].append(exercise)
    context = {
        "query": query,
        "hits": [(hit, _hit_url(kb, hit)) for hit in search(kb, query)] if query else [],
        "muscles": sorted(kb.muscles.values(), key=lambda m: m.name),
        "exercise_groups": sorted(by_category.items()),
        "conditions": sorted(kb.conditions.values(), key=lambda c: c.name),
        "stats": kb.stats(),
    }
    return render(request, "reference/index.html", context)


@require_GET
@login_required
def muscle(request: HttpRequest, muscle_id: str) -> HttpResponse:
    kb = load_default()
    entry = _get(kb.muscles, muscle_id)
    points = [tp for tp in kb.trigger_points.values() if tp.muscle == muscle_id]
    context = {
        "muscle": entry,
        "points": [
            {
                "number": number,
                "point": point,
                "location": kb.region_specs[point.location.region],
                "zones": [(kb.region_specs[z.region], z.kind) for z in point.zones],
                "prevalence_sources": [point.prevalence.source] if point.prevalence else [],
            }
            for number, point in enumerate(points, start=1)
        ],
        "figure": pattern_figure(kb, points, f"Referral patterns of {entry.name}")
        if points
        else None,
        "shown_side": SHOWN_SIDE,
        "exams": [t for t in kb.exam_tests.values() if muscle_id in t.implicates],
        "exercises": [e for e in kb.exercises.values() if muscle_id in e.muscles],
        "factors": [kb.factors[f] for f in entry.perpetuating_factors],
        "conditions": [c for c in kb.conditions.values() if muscle_id in c.muscles],
        "sources": _sources(
            kb,
            entry.sources,
            *(tp.sources for tp in points),
            *((tp.prevalence.source,) for tp in points if tp.prevalence),
        ),
    }
    return render(request, "reference/muscle.html", context)


@require_GET
@login_required
def exercise(request: HttpRequest, exercise_id: str) -> HttpResponse:
    kb = load_default()
    entry = _get(kb.exercises, exercise_id)
    context = {
        "exercise": entry,
        "findings": [kb.findings[f] for f in entry.addresses],
        "muscles": [kb.muscles[m] for m in entry.muscles],
        "sources": _sources(kb, entry.sources),
    }
    return render(request, "reference/exercise.html", context)


@require_GET
@login_required
def illustration(request: HttpRequest, exercise_id: str) -> FileResponse:
    """The exercise's SVG, from the path the knowledge base declares (never from the URL)."""
    kb = load_default()
    entry = _get(kb.exercises, exercise_id)
    response = FileResponse((kb.root / entry.illustration).open("rb"), content_type="image/svg+xml")
    response["Cache-Control"] = "max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
@login_required
def region(request: HttpRequest, region_id: str) -> HttpResponse:
    """Every trigger point that refers pain to a region: the naive lookup, for reference."""
    kb = load_default()
    spec = _get(kb.region_specs, region_id)
    rows = []
    for point in kb.trigger_points.values():
        for zone in point.zones:
            if zone.region == region_id:
                rows.append((point, kb.muscles[point.muscle], zone.kind))
    rows.sort(key=lambda row: (row[2] != "essential", row[1].name))
    return render(request, "reference/region.html", {"region": spec, "rows": rows})


@require_GET
@login_required
def safety(request: HttpRequest) -> HttpResponse:
    kb = load_default()
    red_flags = list(kb.red_flags.values())
    contraindications = list(kb.contraindications.values())
    techniques = list(kb.techniques.values())
    names = {t.id: t.name for t in techniques}
    context = {
        "red_flags": red_flags,
        "contraindications": [
            (
                c,
                [names[t] for t in c.removes],
                [(names[m.technique], m.how) for m in c.modifies],
            )
            for c in contraindications
        ],
        "techniques": techniques,
        "statements": list(kb.statements.values()),
        "sources": _sources(
            kb,
            *(e.sources for e in red_flags),
            *(e.sources for e in contraindications),
            *(e.sources for e in techniques),
            *(e.sources for e in kb.statements.values()),
        ),
    }
    return render(request, "reference/safety.html", context)
