"""Visit pages: assessment (findings beside the candidates), plan and the SOAP note.

Every response that shows the visit's health data, a refused write's page included, is
audited as a view (`_show`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.actions import screen_intake
from myomap.core.bodymap.svg import render_body_map
from myomap.core.kb import load_default
from myomap.core.referral.inputs import describe
from myomap.core.screening import technique_status
from myomap.records.access import intake_for, staff_required, visit_for
from myomap.records.errors import ActionError
from myomap.visits import actions, recorded
from myomap.visits.forms import AmendForm, MovementForm, NoteForm, PalpationForm
from myomap.visits.models import Visit


def _show(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    summary: str,
    status: int = 200,
) -> HttpResponse:
    record(Context.of(request), AuditEvent.Action.VIEW, context["visit"], summary=summary)
    return render(request, template, context, status=status)


@require_POST
@staff_required
def visit_start(request: HttpRequest, intake_pk: int) -> HttpResponse:
    intake = intake_for(request.user, intake_pk)
    try:
        visit = actions.start_visit(Context.of(request), intake.client, intake)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("clients:intake", pk=intake.pk)
    return redirect("visits:detail", pk=visit.pk)


def _tests() -> list[tuple[str, str]]:
    tests = load_default().exam_tests.values()
    return [(t.id, t.name) for t in tests if t.category in ("movement", "special")]


def _base(visit: Visit) -> dict[str, Any]:
    """What every visit tab shows: the client, and the safety screening first."""
    return {"visit": visit, "client": visit.client, "screening": screen_intake(visit.intake)}


def _visit_context(visit: Visit, **extra: Any) -> dict[str, Any]:
    kb = load_default()
    prefetch_related_objects([visit], "palpations", "movements")
    explanation = recorded.explanation(visit)
    palpated = {(p.trigger_point, p.side): p for p in visit.palpations.all()}
    names = {region_id: region.name for region_id, region in kb.regions.items()}
    tests = {t.id: t.name for t in kb.exam_tests.values()}
    rows = []
    for c in explanation.candidates:
        found = palpated.get((c.trigger_point, c.side))
        initial: dict[str, Any] = {"trigger_point": c.trigger_point, "side": c.side}
        if found is not None:
            initial |= {
                "tender": found.tender,
                "taut_band": found.taut_band,
                "referral": found.referral,
                "twitch": found.twitch,
                "jump": found.jump,
                "ppt": found.ppt,
            }
        why = "Explains " + ", ".join(f"{names[r]} ({kind})" for r, kind in c.zone_of)
        why += "".join(f". {describe(text, tests)} ({d:+.1f})" for text, d in c.findings)
        form = PalpationForm(initial=initial)
        rows.append({"candidate": c, "found": found, "form": form, "why": why})
    svg = render_body_map(
        names, intensities=visit.intake.drawing, interactive=False, title="Pain drawing"
    )
    return {
        **_base(visit),
        "explanation": explanation,
        "rows": rows,
        "movements": [(m, tests.get(m.test, m.test)) for m in visit.movements.all()],
        "movement_form": MovementForm(tests=_tests()),
        "profile": recorded.factor_profile(visit),
        "svg": mark_safe(svg),
        **extra,
    }


@require_GET
@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    return _show(request, "visits/visit.html", _visit_context(visit), "assessment")


@require_POST
@staff_required
def palpation_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    form = PalpationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ppt = data.get("ppt")
        finding = actions.PalpationData(
            trigger_point=data["trigger_point"],
            side=data["side"],
            tender=data.get("tender"),
            taut_band=data["taut_band"],
            referral=data["referral"],
            twitch=data["twitch"],
            jump=data["jump"],
            ppt=float(ppt) if ppt is not None else None,
        )
        try:
            actions.record_palpation(Context.of(request), visit, finding)
            anchor = f"#{data['trigger_point']}-{data['side']}"
            return redirect(reverse("visits:detail", args=[visit.pk]) + anchor)
        except ActionError as exc:
            form.add_error(None, exc.message)
    context = _visit_context(visit, palpation_error=form)
    return _show(request, "visits/visit.html", context, "assessment", status=400)


@require_POST
@staff_required
def movement_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    form = MovementForm(request.POST, tests=_tests())
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_movement(
                Context.of(request), visit, data["test"], data["side"], data["result"], data["note"]
            )
            return redirect(reverse("visits:detail", args=[visit.pk]) + "#movement")
        except ActionError as exc:
            form.add_error(None, exc.message)
    context = _visit_context(visit, movement_form=form)
    return _show(request, "visits/visit.html", context, "assessment", status=400)


# ----------------------------------------------------------------------------- plan
def _plan_context(visit: Visit, **extra: Any) -> dict[str, Any]:
    kb = load_default()
    base = _base(visit)
    status = technique_status(kb, base["screening"])
    steps = []
    for s in visit.plan_steps.all():
        point = kb.trigger_points.get(s.trigger_point)
        steps.append({"step": s, "point_name": point.name if point else s.trigger_point})
    return {
        **base,
        "steps": steps,
        "techniques": [(t.id, t.name, status[t.id]) for t in kb.techniques.values()],
        "light_only": bool(base["screening"].no_deep_pressure),
        **extra,
    }


@require_GET
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    return _show(request, "visits/plan.html", _plan_context(visit), "treatment plan")


@require_POST
@staff_required
def plan_propose(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    try:
        actions.propose_plan(Context.of(request), visit)
    except ActionError as exc:
        context = _plan_context(visit, error=exc.message)
        return _show(request, "visits/plan.html", context, "treatment plan", exc.status)
    return redirect("visits:plan", pk=visit.pk)


def _posted_steps(post: Any) -> list[actions.StepData]:
    """The plan form's rows; KeyError or ValueError when a row is incomplete."""
    count = int(post.get("count", "0"))
    if not 0 <= count <= 50:
        raise ValueError("count out of range")
    return [
        actions.StepData(
            trigger_point=post[f"trigger_point-{i}"],
            side=post[f"side-{i}"],
            technique=post[f"technique-{i}"],
            pressure=post[f"pressure-{i}"],
            hold_seconds=int(post[f"hold_seconds-{i}"]),
            repetitions=int(post[f"repetitions-{i}"]),
            reason=post.get(f"reason-{i}", ""),
        )
        for i in range(count)
        if not post.get(f"remove-{i}")
    ]


@require_POST
@staff_required
def plan_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    try:
        actions.save_plan(Context.of(request), visit, _posted_steps(request.POST))
    except (KeyError, ValueError):
        error = (
            "every step needs a technique, a pressure and whole numbers for hold and repetitions"
        )
        context = _plan_context(visit, error=error)
        return _show(request, "visits/plan.html", context, "treatment plan", 400)
    except ActionError as exc:
        context = _plan_context(visit, error=exc.message)
        return _show(request, "visits/plan.html", context, "treatment plan", exc.status)
    return redirect("visits:plan", pk=visit.pk)


# ----------------------------------------------------------------------------- note
def _note_context(visit: Visit, staff: bool, **extra: Any) -> dict[str, Any]:
    version = actions.current_version(visit)
    versions = list(version.note.versions.select_related("author", "signed_by")) if version else []
    if not staff:
        # A client reads signed versions only: a draft is not yet a record.
        versions = [v for v in versions if v.is_signed]
        version = versions[-1] if versions else None
    form = None
    if staff and version is not None and not version.is_signed:
        form = NoteForm(
            initial={
                "revision": version.revision,
                "subjective": version.subjective,
                "objective": version.objective,
                "assessment": version.assessment,
                "plan": version.plan,
            }
        )
    return {
        **_base(visit),
        "version": version,
        "history": versions,
        "form": form,
        "amend_form": AmendForm(),
        **extra,
    }


def _is_staff(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_staff_member", False))


@require_GET
@login_required
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    context = _note_context(visit, _is_staff(request))
    return _show(request, "visits/note.html", context, "session note")


@require_POST
@staff_required
def note_draft(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    raw = request.POST.get("revision", "")
    try:
        revision = int(raw) if raw else None
        actions.draft_note(Context.of(request), visit, revision=revision)
    except ValueError:
        context = _note_context(visit, True, error="the note's revision could not be read")
        return _show(request, "visits/note.html", context, "session note", 400)
    except ActionError as exc:
        context = _note_context(visit, True, error=exc.message)
        return _show(request, "visits/note.html", context, "session note", exc.status)
    return redirect("visits:note", pk=visit.pk)


@require_POST
@staff_required
def note_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        context = _note_context(visit, True, form=form)
        return _show(request, "visits/note.html", context, "session note", 400)
    data = form.cleaned_data
    ctx = Context.of(request)
    try:
        # "Sign and lock" saves and signs as one: a refused signature saves nothing, so
        # the revision in the form stays current and the next save does not conflict.
        with transaction.atomic():
            version = actions.save_note(ctx, visit, **data)
            if "sign" in request.POST:
                actions.sign_note(ctx, visit, revision=version.revision)
    except ActionError as exc:
        # Keep what the person typed: a conflict must never lose their words.
        context = _note_context(visit, True, form=form, error=exc.message)
        return _show(request, "visits/note.html", context, "session note", exc.status)
    return redirect("visits:note", pk=visit.pk)


@require_POST
@staff_required
def note_amend(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    form = AmendForm(request.POST)
    if form.is_valid():
        try:
            actions.amend_note(Context.of(request), visit, form.cleaned_data["reason"])
            return redirect("visits:note", pk=visit.pk)
        except ActionError as exc:
            form.add_error("reason", exc.message)
    context = _note_context(visit, True, amend_form=form)
    return _show(request, "visits/note.html", context, "session note", 400)
