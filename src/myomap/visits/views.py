"""Visit pages: assessment (findings beside the candidates), plan and the SOAP note.

Every response that shows the visit's health data, a refused write's page included, is
audited as a view (`_show`)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms import BaseFormSet, model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients import figure
from myomap.clients.queries import intake_for
from myomap.core.bodymap.svg import render_drawing
from myomap.core.kb import load_default
from myomap.core.referral import Explanation, Finding, explain, scorer
from myomap.core.referral.engine import Scorer
from myomap.core.referral.inputs import describe
from myomap.records.access import staff_required
from myomap.records.errors import ActionError
from myomap.visits import actions, queries, recorded
from myomap.visits.forms import AmendForm, MovementForm, NoteForm, PalpationForm, PlanFormSet
from myomap.visits.models import Visit
from myomap.visits.queries import visit_for
from myomap.visits.tabs import tab_context


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
    key = request.POST.get("start_key", "")
    try:
        visit = actions.start_visit(Context.of(request), intake.client, intake, key=key)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("clients:intake", pk=intake.pk)
    return redirect("visits:detail", pk=visit.pk)


@require_POST
@staff_required
def visit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    try:
        actions.delete_visit(Context.of(request), visit)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("visits:detail", pk=visit.pk)
    messages.success(request, "The empty visit was deleted.")
    return redirect("clients:detail", pk=visit.client_id)


def _tests() -> list[tuple[str, str]]:
    tests = load_default().exam_tests.values()
    return [(t.id, t.name) for t in tests if t.category in ("movement", "special")]


@lru_cache(maxsize=1024)
def _explained(
    using: Scorer, drawing: tuple[tuple[str, Any], ...], findings: tuple[Finding, ...]
) -> Explanation:
    return explain(dict(drawing), findings, top=10, using=using)


def _explanation(visit: Visit) -> Explanation:
    """The reasoning for the visit's drawing and findings (`recorded.explanation`), worked
    out once for each state of the record: the page opened again, or after another tab,
    reuses it until a finding changes. An explanation is a frozen value."""
    findings = tuple(recorded.findings(visit))
    return _explained(scorer(), tuple(visit.intake.drawing.items()), findings)


@lru_cache(maxsize=64)
def _drawing_svg(kb_id: int, drawing: tuple[tuple[str, Any], ...]) -> str:
    """The pain drawing as SVG: the same for every view of an intake (with the same
    knowledge base, `kb_id`), drawn once. Only its painted regions are in the page; the
    rest of the figure is two static pictures the browser keeps (`clients.figure`)."""
    under, over = figure.addresses()
    return render_drawing(_region_names(kb_id), dict(drawing), under=under, over=over)


@lru_cache(maxsize=4)
def _region_names(kb_id: int) -> dict[str, str]:
    return {region_id: region.name for region_id, region in load_default().regions.items()}


@lru_cache(maxsize=4)
def _test_names(kb_id: int) -> dict[str, str]:
    return {t.id: t.name for t in load_default().exam_tests.values()}


def _movement_fields(form: MovementForm | None) -> SafeString:
    """The movement test form's fields. Empty, they are the same for every visit: rendered
    once per process, not through the widgets on every request."""
    if form is not None:
        return render_to_string("visits/_movement_fields.html", {"movement_form": form})
    return _blank_movement_fields(tuple(_tests()))


@lru_cache(maxsize=8)
def _blank_movement_fields(tests: tuple[tuple[str, str], ...]) -> SafeString:
    form = MovementForm(tests=list(tests))
    return render_to_string("visits/_movement_fields.html", {"movement_form": form})


def _finding_data(found: Any) -> str:
    """A recorded finding's values as JSON, for the script that fills the one palpation
    form in the browser when another row is opened (an empty object: not examined)."""
    if found is None:
        return "{}"
    values = model_to_dict(found, fields=["taut_band", "referral", "twitch", "jump"])
    values["tender"] = "" if found.tender is None else found.tender
    values["ppt"] = "" if found.ppt is None else str(found.ppt)
    return json.dumps(values, separators=(",", ":"))


def _visit_context(
    visit: Visit,
    chosen: tuple[str, str] | None = None,
    palpation_error: PalpationForm | None = None,
    movement_form: MovementForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The assessment page. The palpation form is rendered once, in the row being examined:
    the one the therapist chose (`chosen`, from the row's link), the refused one with what
    was typed, else the first candidate not examined yet. The other rows link to it."""
    kb = load_default()
    queries.load_findings(visit)
    explanation = _explanation(visit)
    palpated = {(p.trigger_point, p.side): p for p in visit.palpations.all()}
    names = _region_names(id(kb))
    tests = _test_names(id(kb))
    keys = [(c.trigger_point, c.side) for c in explanation.candidates]
    if palpation_error is not None:
        chosen = palpation_error.row()
    elif chosen not in keys:
        chosen = next((key for key in keys if key not in palpated), None)
    rows = []
    for c, key in zip(explanation.candidates, keys, strict=True):
        found = palpated.get(key)
        why = "Explains " + ", ".join(f"{names[r]} ({kind})" for r, kind in c.zone_of)
        why += "".join(f". {describe(text, tests)} ({d:+.1f})" for text, d in c.findings)
        rows.append(
            {
                "candidate": c,
                "found": found,
                "signs": ", ".join(recorded.palpation_of(found).signs) if found else "",
                "data": _finding_data(found),
                "open": key == chosen,
                "why": why,
            }
        )
    form = palpation_error
    if form is None and chosen in keys:
        initial: dict[str, Any] = {"trigger_point": chosen[0], "side": chosen[1]}
        if (found := palpated.get(chosen)) is not None:
            initial |= model_to_dict(found, fields=list(PalpationForm.base_fields))
        form = PalpationForm(initial=initial)
    elif form is None and keys:  # every row examined: the form waits, hidden, for a link
        form = PalpationForm()
    if palpation_error is not None and chosen in keys:
        point = explanation.candidates[keys.index(chosen)]
        extra["palpation_point"] = f"{point.trigger_point_name} ({point.side})"
    svg = _drawing_svg(id(kb), tuple(visit.intake.drawing.items()))
    return {
        **tab_context(visit),
        "explanation": explanation,
        "rows": rows,
        "palpation_form": form,
        "palpation_open": chosen in keys,
        "palpation_error": palpation_error,
        "movements": [(m, tests.get(m.test, m.test)) for m in visit.movements.all()],
        "movement_fields": _movement_fields(movement_form),
        "profile": recorded.factor_profile(visit),
        "svg": mark_safe(svg),
        **extra,
    }


@require_GET
@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`?point=ID&side=SIDE` opens the palpation form on that candidate's row (the link
    each row has; the page's script does the same without a reload)."""
    visit = visit_for(request.user, pk)
    chosen = (request.GET.get("point", ""), request.GET.get("side", ""))
    context = _visit_context(visit, chosen=chosen)
    return _show(request, "visits/visit.html", context, "assessment")


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
def _plan_formset(visit: Visit, data: Any = None) -> tuple[BaseFormSet[Any], queries.PlanEditor]:
    steps = list(visit.plan_steps.all())
    initial = [
        {f: getattr(s, f) for f in ("trigger_point", "side", "reason", "technique", "pressure")}
        | {"hold_seconds": s.hold_seconds, "repetitions": s.repetitions}
        for s in steps
    ]
    points = [s.trigger_point for s in steps]
    if data is not None:
        total = data.get("steps-TOTAL_FORMS", "0")
        count = int(total) if total.isdigit() else 0
        points = [data.get(f"steps-{i}-trigger_point", "") for i in range(min(count, 50))]
    editor = queries.plan_editor(visit, points)
    kwargs = {
        "techniques": editor.techniques,
        "ruled_out": editor.ruled_out,
        "light_only": editor.light_only,
    }
    formset = PlanFormSet(data, initial=initial, prefix="steps", form_kwargs=kwargs)
    return formset, editor


def _plan_context(
    visit: Visit, formset: BaseFormSet[Any] | None = None, **extra: Any
) -> dict[str, Any]:
    kb = load_default()
    formset, editor = (
        _plan_formset(visit) if formset is None else (formset, _plan_formset(visit)[1])
    )
    stored = {(s.trigger_point, s.side): s for s in visit.plan_steps.all()}
    rows = []
    for number, form in enumerate(formset.forms, start=1):
        key = (form["trigger_point"].value() or "", form["side"].value() or "")
        point = kb.trigger_points.get(key[0])
        step = stored.get(key)
        rows.append(
            {
                "number": number,
                "form": form,
                "point_name": point.name if point else key[0],
                "side": key[1],
                "reason": form["reason"].value() or "",
                "technique_name": _technique_name(kb, form["technique"].value()),
                "dose": _dose_words(kb, form["technique"].value()),
                "modifications": step.modifications if step is not None else [],
            }
        )
    names = {tp: p.name for tp, p in kb.trigger_points.items()}
    excluded = [
        {"point": names.get(e[0], e[0]), "side": e[1], "why": e[2]} for e in visit.plan_excluded
    ]
    return {
        **tab_context(visit),
        "formset": formset,
        "rows": rows,
        "excluded": excluded,
        "waiting": editor.waiting,
        "findings": not rows and queries.has_findings(visit),  # asked only without a plan
        **extra,
    }


def _dose_words(kb: Any, technique: Any) -> str:
    """The technique's documented dose, in words, shown beside the step before saving."""
    found = kb.techniques.get(str(technique or ""))
    if found is None:
        return ""
    low, high = found.dose.hold_range
    most = found.dose.repetitions.high
    hold = "not a timed hold (0 s)" if high == 0 else f"hold {low}-{high} s"
    reps = "1 repetition" if most == 1 else f"1-{most} repetitions"
    return f"Documented dose: {hold}, {reps}."


def _technique_name(kb: Any, technique: Any) -> str:
    found = kb.techniques.get(str(technique or ""))
    return str(found.name) if found is not None else str(technique or "")


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
        plan = actions.propose_plan(Context.of(request), visit)
    except ActionError as exc:
        context = _plan_context(visit, error=exc.message)
        return _show(request, "visits/plan.html", context, "treatment plan", exc.status)
    if plan.steps:
        messages.success(request, f"Plan proposed: {len(plan.steps)} steps.")
    else:
        messages.warning(request, f"No steps proposed: {plan.blocked_reason or 'no candidates'}.")
    return redirect("visits:plan", pk=visit.pk)


@require_POST
@staff_required
def plan_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    formset, _ = _plan_formset(visit, request.POST)
    if not formset.is_valid():
        error = "The plan was not saved: correct the steps marked below."
        context = _plan_context(visit, formset, error=error)
        return _show(request, "visits/plan.html", context, "treatment plan", 400)
    kept = [f for f in formset.forms if not f.cleaned_data.get("DELETE")]
    try:
        saved = actions.save_plan(Context.of(request), visit, [f.to_input() for f in kept])
    except ActionError as exc:
        for index, field, message in exc.problems:
            if 0 <= index < len(kept):
                kept[index].add_error(field if field in kept[index].fields else None, message)
        count = len(exc.problems)
        error = (
            f"The plan was not saved: {count} problem{'s' if count > 1 else ''}, marked below."
            if exc.problems
            else exc.message
        )
        context = _plan_context(visit, formset, error=error)
        return _show(request, "visits/plan.html", context, "treatment plan", exc.status)
    messages.success(request, f"Plan saved: {len(saved)} steps.")
    return redirect("visits:plan", pk=visit.pk)


# ----------------------------------------------------------------------------- note
def _note_context(request: HttpRequest, visit: Visit, **extra: Any) -> dict[str, Any]:
    versions, state = queries.note_page(request.user, visit)  # a client: signed ones only
    version = versions[-1] if versions else None
    form = None
    if version is not None and queries.may_edit(request.user, version):
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
        **tab_context(visit, state),
        "version": version,
        "history": versions,
        "form": form,
        "amend_form": AmendForm(),
        **extra,
    }


@require_GET
@login_required
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    context = _note_context(request, visit)
    return _show(request, "visits/note.html", context, "session note")


@require_POST
@staff_required
def note_draft(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    raw = request.POST.get("revision", "")
    try:
        revision = int(raw) if raw else None
        actions.draft_note(Context.of(request), visit, revision=revision)
        messages.success(request, "Draft written from the record.")
    except ValueError:
        context = _note_context(request, visit, error="the note's revision could not be read")
        return _show(request, "visits/note.html", context, "session note", 400)
    except ActionError as exc:
        context = _note_context(request, visit, error=exc.message)
        return _show(request, "visits/note.html", context, "session note", exc.status)
    return redirect("visits:note", pk=visit.pk)


@require_POST
@staff_required
def note_save(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        context = _note_context(request, visit, form=form)
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
        context = _note_context(request, visit, form=form, error=exc.message)
        return _show(request, "visits/note.html", context, "session note", exc.status)
    if "sign" in request.POST:
        messages.success(request, f"Version {version.number} signed and locked.")
    else:
        messages.success(request, f"Draft saved at {timezone.localtime(ctx.now):%H:%M}.")
    return redirect("visits:note", pk=visit.pk)


@require_POST
@staff_required
def note_amend(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_for(request.user, pk)
    form = AmendForm(request.POST)
    if form.is_valid():
        try:
            actions.amend_note(Context.of(request), visit, form.cleaned_data["reason"])
            messages.success(request, "Amendment started: the record can be changed again.")
            return redirect("visits:note", pk=visit.pk)
        except ActionError as exc:
            form.add_error("reason", exc.message)
    context = _note_context(request, visit, amend_form=form)
    return _show(request, "visits/note.html", context, "session note", 400)
