"""The jobs page (/accounts/jobs/): the clinic admin sees what is failing and will be tried
again, what has failed for good and why, and the recent rest."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from myomap.jobs import queries, runner
from myomap.jobs.models import Job
from myomap.records.access import admin_required
from myomap.records.pages import paginate, requested

PER_PAGE = 50


@require_GET
@admin_required
def jobs_page(request: HttpRequest) -> HttpResponse:
    trouble = request.GET.get("show") != "all"
    counts = queries.counts_for(request.user)
    page = paginate(
        queries.jobs_for(request.user, trouble_only=trouble),
        requested(request.GET.get("page")),
        per_page=PER_PAGE,
        keep={} if trouble else {"show": "all"},
    )
    context = {
        "page": page,
        "trouble": trouble,
        "counts": [(label, counts.get(value, 0)) for value, label in Job.Status.choices],
        "max_attempts": runner.MAX_ATTEMPTS,
    }
    return render(request, "jobs/jobs.html", context)
