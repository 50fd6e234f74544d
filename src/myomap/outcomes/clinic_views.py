"""The clinic admin's outcome pages (under /accounts/clinic/outcomes/): the schedule of
which questionnaires are due when, and the clinic's report of change, as a page and CSV."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.outcomes import actions, queries
from myomap.outcomes.forms import ScheduleForm
from myomap.records.access import admin_required
from myomap.records.errors import ActionError, Invalid

WHENS = ("at_intake", "every_visit", "every_nth", "at_discharge")


@require_http_methods(["GET", "POST"])
@admin_required
def schedule(request: HttpRequest) -> HttpResponse:
    instruments = queries.instruments()
    saved = queries.schedule_of(request.user)
    initial = {f"{i}-{when}": getattr(rule, when) for i, rule in saved.items() for when in WHENS}
    form = ScheduleForm(instruments, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            rules = {
                i: actions.ScheduleData(
                    at_intake=bool(r["at_intake"]),
                    every_visit=bool(r["every_visit"]),
                    every_nth=r["every_nth"],
                    at_discharge=bool(r["at_discharge"]),
                )
                for i, r in form.rules().items()
            }
            try:
                actions.save_schedule(Context.of(request), rules)
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "The clinic's questionnaire schedule is saved.")
                return redirect("clinic:outcome_schedule")
    rows = [(inst, [form[f"{inst.id}-{when}"] for when in WHENS]) for inst in instruments]
    return render(request, "outcomes/schedule.html", {"form": form, "rows": rows}, status=status)


@require_GET
@admin_required
def report(request: HttpRequest) -> HttpResponse:
    rows = queries.clinic_report(request.user)
    record(Context.of(request), AuditEvent.Action.VIEW, None, summary="outcome report")
    return render(request, "outcomes/report.html", {"rows": rows})


CSV_HEADER = (
    "instrument",
    "name",
    "threshold",
    "clients_with_two_scores",
    "improved",
    "improved_share",
    "worse",
)


@require_GET
@admin_required
def report_csv(request: HttpRequest) -> HttpResponse:
    rows = queries.clinic_report(request.user)
    record(Context.of(request), AuditEvent.Action.EXPORT, None, summary="outcome report (CSV)")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outcome-report.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in rows:
        share = row.share
        writer.writerow(
            (
                row.instrument.id,
                row.instrument.name,
                row.threshold,
                row.clients,
                "" if row.improved is None else row.improved,
                "" if share is None else f"{share:.3f}",
                "" if row.worse is None else row.worse,
            )
        )
    return response


@require_http_methods(["GET", "POST"])
@admin_required
def wording(request: HttpRequest) -> HttpResponse:
    """The questionnaires whose wording Myomap does not ship, and the clinic's licensed
    wording of each: load a file (it replaces the one before) or remove it."""
    error, error_for, status = "", "", 200
    if request.method == "POST":
        instrument = request.POST.get("instrument", "")[:40]
        try:
            if request.POST.get("remove"):
                actions.remove_wording(Context.of(request), instrument)
                messages.success(request, "The loaded wording is removed: the form shows numbers.")
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise Invalid("choose the wording file (YAML or JSON) to load", "file")
                actions.load_wording(
                    Context.of(request), instrument, upload.read(actions.MAX_WORDING_BYTES + 1)
                )
                messages.success(request, "Loaded: the entry form now shows this wording.")
        except ActionError as exc:
            error, error_for, status = exc.message, instrument, 400
        else:
            return redirect("clinic:outcome_wording")
    loaded = queries.wordings_of(request.user.clinic_id)  # type: ignore[union-attr]
    rows = [
        (inst, loaded.get(inst.id))
        for inst in queries.instruments()
        if not inst.licence.wording_shipped
    ]
    context = {"rows": rows, "error": error, "error_for": error_for}
    return render(request, "outcomes/wording.html", context, status=status)
