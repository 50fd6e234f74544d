"""Visit pages: assessment (findings beside the candidates), plan and the SOAP note."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.actions import screen_intake
from myomap.core.bodymap.svg import render_body_map
from myomap.core.kb import load_default
from myomap.records.access import intake_for, staff_required, visit_for
from myomap.records.errors import ActionError
from myomap.visits import actions, recorded
from myomap.visits.forms import AmendForm, MovementForm, NoteForm, PalpationForm
from myomap.visits.models import Visit


@require_POST
@staff_required
def visit_start(request: HttpRequest, intake_pk: int) -> HttpResponse:
    intake = intake_for(request.user, intake_pk)
    try:
        visit = actions.start_visit(Context.of(request), intake.client, intake)
    except ActionError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
        return redirect("clients:intake", pk=intake.pk)
    return redirect("visits:detail", pk=visit.pk)


def _tests() -> list[tuple[str, str]]:
    return [
        (t.id, t.name)
        for t in load_default().exam_tests.values()
        if t.category != "trigger-point-criterion"
    ]


def _visit_context(request: HttpRequest, visit: Visit, **extra: Any) -> dict[str, Any]:
    kb = load_default()
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
        for text, delta in c.findings:
            target, _, results = text.partition("=")
            label = tests.get(target.split(":")[0], "palpation")
            results = results.replace(",", ", ").replace("-", " ")
            why += f". {label.capitalize()}: {results} ({delta:+.1f})"
        rows.append(
            {"candidate": c, "found": found, "form": PalpationForm(initial=initial), "why": why}
        )
    svg = render_body_map(
        names, intensities=visit.intake.pain_drawing, interactive=False, title="Pain drawing"
    )
    return {
        "visit": visit,
        "client": visit.client,
        "screening": screen_intake(visit.intake),
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
    # The page reads the findings several times (candidates, rows, factors): once is enough.
    prefetch_related_objects([visit], "palpations", "movements")
    record(Context.of(request), AuditEvent.Action.VIEW, visit, summary="assessment")
    return render(request, "visits/visit.html", _visit_context(request, visit))


@require_POST
@staff_required
def palpation_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    form = PalpationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ppt = data.get("ppt")
        try:
            actions.record_palpation(
                Context.of(request),
                visit,
                actions.PalpationData(
                    trigger_point=data["trigger_point"],
                    side=data["side"],
                    tender=data.get("tender"),
                    taut_band=data["taut_band"],
                    referral=data["referral"],
                    twitch=data["twitch"],
                    jump=data["jump"],
                    ppt=float(ppt) if ppt is not None else None,
                ),
            )
            return redirect(f"{visit_detail_url(visit)}#{data['trigger_point']}-{data['side']}")
        except ActionError as exc:
            form.add_error(None, exc.message)
    context = _visit_context(request, visit, palpation_error=form)
    return render(request, "visits/visit.html", context, status=400)


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
            return redirect(visit_detail_url(visit) + "#movement")
        except ActionError as exc:
            form.add_error(None, exc.message)
    return render(
        request, "visits/visit.html", _visit_context(request, visit, movement_form=form), status=400
    )


def visit_detail_url(visit: Visit) -> str:
    from django.urls import reverse

    return reverse("visits:detail", args=[visit.pk])


# ----------------------------------------------------------------------------- plan
@require_GET
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    record(Context.of(request), AuditEvent.Action.VIEW, visit, summary="treatment plan")
    return render(request, "visits/plan.html", _plan_context(visit))


def _plan_context(visit: Visit, **extra: Any) -> dict[str, Any]:
    kb = load_default()
    from myomap.core.screening import technique_status

    screening = screen_intake(visit.intake)
    status = technique_status(kb, screening)
    return {
        "visit": visit,
        "client": visit.client,
        "screening": screening,
        "steps": [
            {
                "step": s,
                "point": kb.trigger_points[s.trigger_point],
                "technique": kb.techniques[s.technique],
            }
            for s in visit.plan_steps.all()
        ],
        "techniques": [(t.id, t.name, status[t.id]) for t in kb.techniques.values()],
        **extra,
    }


@require_POST
@staff_required
def plan_propose(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    try:
        actions.propose_plan(Context.of(request), visit)
    except ActionError as exc:
        return render(
            request, "visits/plan.html", _plan_context(visit, error=exc.message), status=exc.status
        )
    return redirect("visits:plan", pk=visit.pk)


@require_POST
@staff_required
def plan_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    post = request.POST
    steps = []
    try:
        for i in range(int(post.get("count", "0"))):
            if post.get(f"remove-{i}"):
                continue
            steps.append(
                actions.StepData(
                    trigger_point=post[f"trigger_point-{i}"],
                    side=post[f"side-{i}"],
                    technique=post[f"technique-{i}"],
                    pressure=post[f"pressure-{i}"],
                    hold_seconds=int(post[f"hold_seconds-{i}"]),
                    repetitions=int(post[f"repetitions-{i}"]),
                    reason=post.get(f"reason-{i}", ""),
                )
            )
        actions.save_plan(Context.of(request), visit, steps)
    except (KeyError, ValueError):
        return render(
            request,
            "visits/plan.html",
            _plan_context(
                visit,
                error="every step needs a technique, a pressure and whole numbers "
                "for hold time and repetitions",
            ),
            status=400,
        )
    except ActionError as exc:
        return render(
            request, "visits/plan.html", _plan_context(visit, error=exc.message), status=exc.status
        )
    return redirect("visits:plan", pk=visit.pk)


# ----------------------------------------------------------------------------- note
def _note_context(visit: Visit, **extra: Any) -> dict[str, Any]:
    version = actions.current_version(visit)
    history = list(version.note.versions.select_related("author", "signed_by")) if version else []
    form = None
    if version is not None and not version.is_signed:
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
        "visit": visit,
        "client": visit.client,
        "version": version,
        "history": history,
        "form": form,
        "amend_form": AmendForm(),
        **extra,
    }


@require_GET
@login_required
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    record(Context.of(request), AuditEvent.Action.VIEW, visit, summary="session note")
    return render(request, "visits/note.html", _note_context(visit))


@require_POST
@staff_required
def note_draft(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    try:
        actions.draft_note(Context.of(request), visit)
    except ActionError as exc:
        return render(
            request, "visits/note.html", _note_context(visit, error=exc.message), status=exc.status
        )
    return redirect("visits:note", pk=visit.pk)


@require_POST
@staff_required
def note_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render(request, "visits/note.html", _note_context(visit, form=form), status=400)
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
        return render(
            request,
            "visits/note.html",
            _note_context(visit, form=form, error=exc.message),
            status=exc.status,
        )
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
    return render(request, "visits/note.html", _note_context(visit, amend_form=form), status=400)
