"""The client's portal on a phone: today's program, the log (JSON from the phone's
queue), the pain diary, the questionnaires due (answered through the outcomes app's
action, as the therapist enters them), reminders, the web app manifest and the service worker. Views
parse, authorise (the signed-in client's own record only), call one action or query,
render; every page showing health data is audited."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myomap.appointments import queries as appointment_queries
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.core import program as core
from myomap.core.bodymap.svg import render_body_map
from myomap.core.kb import load_default
from myomap.outcomes import actions as outcome_actions
from myomap.outcomes import forms as outcome_forms
from myomap.outcomes import queries as outcome_queries
from myomap.program import actions, queries, reminders
from myomap.program.forms import DiaryForm
from myomap.records.errors import ActionError, Invalid


def _own(request: HttpRequest) -> Any:
    try:
        return actions.own_client(Context.of(request))
    except ActionError:
        raise PermissionDenied("your own portal only") from None


def _marker(trigger_point: str, side: str) -> tuple[str, str] | None:
    point = queries.own_point(trigger_point, side)
    if point is None or point.region is None:
        return None
    return (point.region, point.name)


@require_GET
@login_required
def today(request: HttpRequest) -> HttpResponse:
    client = _own(request)
    ctx = Context.of(request)
    kb = load_default()
    rows, days = queries.rows(request.user, client, ctx.now)
    program = queries.program_of(request.user, client, with_visit=True)
    names = {rid: r.name for rid, r in kb.regions.items()}
    # The client's own drawing: the pain they drew at the intake the program was built from.
    drawing = program.visit.intake.drawing if program is not None and program.visit else {}
    maps = {}
    for row in rows:
        if row.item.trigger_point:
            marker = _marker(row.item.trigger_point, row.item.side)
            if marker is not None:
                maps[row.item.pk] = render_body_map(
                    names,
                    intensities=drawing,
                    zone_classes={marker[0]: "zone-essential"},
                    markers=[marker],
                    interactive=False,
                    title=f"Your point: {marker[1]}",
                )
    record(ctx, AuditEvent.Action.VIEW, program or client, summary="portal: today's program")
    reminder = queries.reminder_of(client)
    context = {
        "reminder": reminder,
        "weekdays": list(enumerate(core.WEEKDAYS)),
        "reminder_days": set(reminder.days) if reminder else set(),
        "reminder_email": client.email or getattr(request.user, "email", ""),
        "reminder_zone": reminder.time_zone if reminder else client.clinic.time_zone,
        "time_zones": reminders.time_zones(),
        "clinic_zone": client.clinic.time_zone,
        "client": client,
        "rows": [(row, maps.get(row.item.pk)) for row in rows],
        "days": days,
        "streak": queries.streak(request.user, client, ctx.now),
        "precautions": core.rules(kb).self_release_precautions,
        "pain_scale": range(core.PAIN_SCALE[0], core.PAIN_SCALE[1] + 1),
        "appointments": appointment_queries.upcoming_of_client(client, ctx.now),
        "questionnaires": outcome_queries.due_for_client(client, ctx.now),
    }
    summaries = queries.note_summaries(request.user, client)
    context["last_note"] = summaries[0] if summaries else None
    context["more_notes"] = len(summaries) - 1 if summaries else 0
    return render(request, "program/today.html", context)


@require_GET
@login_required
def notes(request: HttpRequest) -> HttpResponse:
    """The client summary of each of the client's signed session notes, newest first."""
    client = _own(request)
    ctx = Context.of(request)
    summaries = queries.note_summaries(request.user, client)
    record(ctx, AuditEvent.Action.VIEW, client, summary="portal: session note summaries")
    return render(request, "program/notes.html", {"notes": summaries})


# the consents are the clinic's to record: the client is told whom to ask
_CONSENT_FIELDS = ("treatment_consent_at", "data_consent_at", "treatment_consent", "data_consent")
NO_CONSENT = (
    "Not saved: your clinic has not recorded your consent to treatment and to the keeping "
    "of your health data yet. Ask your therapist at your next visit."
)


@require_http_methods(["GET", "POST"])
@login_required
def questionnaire(request: HttpRequest, instrument: str) -> HttpResponse:
    """One questionnaire due for the signed-in client, answered on their phone and stored
    through the same action as the therapist's entry (the client as its author)."""
    client = _own(request)
    ctx = Context.of(request)
    due = {d.instrument.id: d for d in outcome_queries.due_for_client(client, ctx.now)}
    if instrument not in due:
        raise Http404("that questionnaire is not asked of you now")
    inst = due[instrument].instrument
    wording = outcome_queries.wording_for(client.clinic_id, inst)
    given = request.POST if request.method == "POST" else None
    form = outcome_forms.ClientResponseForm(inst, given, wording=wording)
    status = 200
    if given is not None:
        status = 400
        if form.is_valid():
            data = outcome_actions.ResponseData(
                inst.id, form.answers(), activities=form.activities()
            )
            try:
                outcome_actions.record_response(ctx, client, data)
            except ActionError as exc:
                if exc.field in _CONSENT_FIELDS:
                    form.add_error(None, NO_CONSENT)
                else:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, f"Thank you: your {inst.short} is recorded.")
                return redirect(reverse("portal:today") + "#questionnaires")
    context = {
        "instrument": inst,
        "form": form,
        "rows": outcome_forms.rows(form),
        "activities": outcome_forms.has_activities(inst),
        "wording": wording,
    }
    return render(request, "program/questionnaire.html", context, status=status)


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise Invalid("the request is not JSON", None) from None
    if not isinstance(data, dict):
        raise Invalid("send one JSON object", None)
    return data


def _when(value: object) -> dt.datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise Invalid("made_at must be an ISO 8601 time", "made_at")
    return parsed


def _item_number(value: object) -> int:
    """The exercise's number as the phone sends it: a whole number (true is not 1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise Invalid("item must be the number of an exercise", "item")


@require_POST
@login_required
def log(request: HttpRequest) -> JsonResponse:
    """One log entry from the phone (JSON): {entry_id, item, outcome, pain?, made_at?}.
    201 when recorded, 200 when that entry was already recorded."""
    _own(request)
    try:
        data = _json(request)
        item = _item_number(data.get("item"))
        logged = actions.log_exercise(
            Context.of(request),
            item,
            entry_id=data.get("entry_id"),
            outcome=str(data.get("outcome", "")),
            pain=data.get("pain"),
            made_at=_when(data.get("made_at")),
        )
    except ActionError as exc:
        return JsonResponse({"detail": exc.message, "field": exc.field}, status=exc.status)
    return JsonResponse(logged.answer(), status=201 if logged.created else 200)


@require_http_methods(["GET", "POST"])
@login_required
def diary(request: HttpRequest) -> HttpResponse:
    """The pain diary: the form (or JSON from the phone's queue) and the entries."""
    client = _own(request)
    ctx = Context.of(request)
    kb = load_default()
    is_json = request.content_type == "application/json"
    form = DiaryForm(
        None if is_json or request.method != "POST" else request.POST,
        initial={"entry_id": uuid.uuid4()},
    )
    status = 200
    if request.method == "POST":
        try:
            if is_json:
                data = _json(request)
            elif form.is_valid():
                data = form.cleaned_data
            else:
                field, errors = next(iter(form.errors.items()))
                raise Invalid(str(errors[0]), field)
            noted = _record_diary(ctx, data)
        except ActionError as exc:
            if is_json:
                return JsonResponse({"detail": exc.message, "field": exc.field}, status=exc.status)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status
        else:
            if is_json:
                first = noted.entries[0]
                body = {
                    "id": first.pk,
                    "entry_id": str(first.entry_id),
                    "region": first.region,
                    "regions": [e.region for e in noted.entries],
                    "pain": first.pain,
                    "created": noted.created,
                }
                return JsonResponse(body, status=201 if noted.created else 200)
            messages.success(request, "Diary entry saved.")
            return redirect("portal:diary")
    entries = queries.diary_entries(request.user, client)
    record(ctx, AuditEvent.Action.VIEW, client, summary="portal: pain diary")
    names = {rid: r.name for rid, r in kb.regions.items()}
    chosen = _chosen(form) if form.is_bound else []
    context = {
        "form": form,
        "entries": [(e, ", ".join(names.get(r, r) for r in e.regions)) for e in entries],
        "areas": _areas(kb, chosen),
        "svg": mark_safe(render_body_map(names, interactive=True, title="Where it hurts")),
        "region_data": [
            {"id": r.id, "name": r.name, "view": r.view, "side": r.side}
            for r in kb.regions.values()
        ],
        "chosen": json.dumps({rid: 1 for rid in chosen}),
    }
    return render(request, "program/diary.html", context, status=status)


def _record_diary(ctx: Context, data: Any) -> actions.NotedRegions:
    """One entry over the regions sent (`regions`; `region`, one, from a page or a
    phone's queue made before the body map)."""
    common = {
        "entry_id": data.get("entry_id"),
        "pain": data.get("pain"),
        "note": str(data.get("note") or ""),
        "made_at": _when(data.get("made_at")),
    }
    regions = data.get("regions")
    if "regions" in data and (regions or not data.get("region")):
        if not isinstance(regions, list | tuple):
            regions = [] if regions in (None, "") else [regions]
        return actions.record_diary_regions(ctx, regions=regions, **common)
    one = actions.record_diary(ctx, region=str(data.get("region") or ""), **common)
    return actions.NotedRegions((one.entry,), one.created)


def _chosen(form: DiaryForm) -> list[str]:
    """The regions the refused form had ticked, to show them ticked again."""
    return [str(r) for r in form.data.getlist("regions")] if hasattr(form.data, "getlist") else []


# The fallback list's groups, head to foot (a region's `area` in regions.yaml).
_AREAS = (
    ("head-neck", "Head and neck"),
    ("upper-limb", "Shoulders, arms and hands"),
    ("trunk", "Chest, belly and upper back"),
    ("lumbopelvic", "Lower back and buttocks"),
    ("pelvis", "Hips and groin"),
    ("lower-limb", "Legs and feet"),
)


def _areas(kb: Any, chosen: list[str]) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """The regions by body area for the list shown without JavaScript: each area's
    regions (id, name, ticked) in the body map's order."""
    known = dict(_AREAS)
    groups: dict[str, list[tuple[str, str, bool]]] = {key: [] for key in known}
    for rid, region in kb.regions.items():
        groups.setdefault(region.area, []).append((rid, region.name, rid in chosen))
    return [
        (known.get(area, area.replace("-", " ").capitalize()), rows)
        for area, rows in groups.items()
        if rows
    ]


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the portal can be added to the phone's home screen."""
    body = {
        "name": "Myomap home program",
        "short_name": "My program",
        "start_url": "/me/",
        "scope": "/me/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "icons": [{"src": "/static/myomap/favicon.svg", "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(body)
    response["Content-Type"] = "application/manifest+json"
    return response


_SW = Path(__file__).parent / "static" / "program" / "js" / "sw.js"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /me/ so that its scope is the portal."""
    response = HttpResponse(_SW.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
@login_required
def reminder(request: HttpRequest) -> HttpResponse:
    """The client's reminder days and time, from the form on today's page."""
    _own(request)
    try:
        saved = reminders.set_reminder(
            Context.of(request),
            request.POST.getlist("days"),
            request.POST.get("at", ""),
            request.POST.get("time_zone", ""),
        )
    except ActionError as exc:
        messages.error(request, f"Reminders not saved: {exc.message}")
    else:
        messages.success(request, "Reminders saved." if saved else "Reminders turned off.")
    return redirect(reverse("portal:today") + "#reminders")
