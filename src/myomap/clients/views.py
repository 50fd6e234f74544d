"""Client pages: list, new client, the client's record, intake and the safety gate.
Views parse, authorise, call one action, render; every health-data page is audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients import actions, figure
from myomap.clients import queries as client_queries
from myomap.clients.forms import (
    ClearanceForm,
    ClientEditForm,
    ClientForm,
    ConsentForm,
    FlagClearanceForm,
    IntakeCorrectionForm,
    IntakeForm,
    OverrideForm,
    ReferralForm,
)
from myomap.clients.models import Client, Intake, IntakeRevision
from myomap.clients.queries import client_for, intake_for
from myomap.core import factors
from myomap.core.bodymap.svg import render_body_map, render_drawing
from myomap.core.kb import load_default
from myomap.documents.pdf import pdf_response
from myomap.records.access import staff_required
from myomap.records.errors import ActionError, Invalid
from myomap.records.pages import paginate, requested

PER_PAGE = 50


@require_GET
@staff_required
def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    page = paginate(
        client_queries.client_list_for_pages(request.user, query),
        requested(request.GET.get("page")),
        per_page=PER_PAGE,
        keep={"q": query},
    )
    record(
        Context.of(request),
        AuditEvent.Action.VIEW,
        request.user,
        summary=f"client list ({len(page.rows)} of {page.count}, page {page.number})",
    )
    context = {"page": page, "clients": client_queries.with_visits(page.rows), "query": query}
    return render(request, "clients/list.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def client_new(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = actions.create_client(
                Context.of(request), actions.ClientData(**form.cleaned_data)
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": form})


@require_GET
@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request.user, pk)
    context = _client_context(client)
    record(Context.of(request), AuditEvent.Action.VIEW, client, summary="client record")
    return render(request, "clients/detail.html", context)


def _client_context(client: Client, **forms: object) -> dict[str, object]:
    lists = client_queries.client_record(client)
    return {
        "client": client,
        "intakes": lists.intakes,
        "visits": lists.visits,
        "changes": lists.changes,
        "consent_form": ConsentForm(),
        **forms,
    }


def _body_map(drawing: dict[str, int] | None = None, interactive: bool = True) -> str:
    kb = load_default()
    names = {region_id: region.name for region_id, region in kb.regions.items()}
    return render_body_map(
        names, intensities=drawing or {}, interactive=interactive, title="Pain drawing"
    )


def _drawing(drawing: dict[str, int]) -> str:
    """The intake's pain drawing to look at: its painted regions over the static figure."""
    names = {region_id: region.name for region_id, region in load_default().regions.items()}
    under, over = figure.addresses()
    return render_drawing(names, drawing, under=under, over=over)


@require_http_methods(["GET", "POST"])
@staff_required
def intake_new(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request.user, pk)
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intake = actions.record_intake(Context.of(request), client, _intake_data(form))
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("clients:intake", pk=intake.pk)
    return _intake_form_page(request, client, form)


def _intake_data(form: IntakeForm) -> actions.IntakeData:
    return actions.IntakeData(
        complaint=form.cleaned_data["complaint"],
        pain_drawing=form.cleaned_data["pain_drawing"],
        history=form.cleaned_data["history"],
        medications=form.cleaned_data["medications"],
        red_flag_answers=form.answers("rf_"),
        contraindication_answers=form.answers("ci_"),
        factor_answers=form.answers("fq_"),
    )


def _intake_form_page(
    request: HttpRequest, client: Client, form: IntakeForm, intake: Intake | None = None
) -> HttpResponse:
    """The intake form: empty for a new intake, filled with `intake` for a correction."""
    kb = load_default()
    region_data = [
        {"id": r.id, "name": r.name, "view": r.view, "side": r.side} for r in kb.regions.values()
    ]
    context = {
        "client": client,
        "intake": intake,
        "form": form,
        "svg": mark_safe(_body_map()),
        "region_data": region_data,
        "red_flag_fields": form.group("rf_"),
        "contra_fields": form.group("ci_"),
        "factor_fields": form.group("fq_"),
    }
    return render(request, "clients/intake_form.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a client's details; the old values stay in the "Changes" history."""
    client = client_for(request.user, pk)
    form = ClientEditForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            actions.update_client(
                Context.of(request),
                client,
                actions.ClientData(**fields),
                form.cleaned_data["reason"],
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("clients:detail", pk=client.pk)
    record(Context.of(request), AuditEvent.Action.VIEW, client, summary="client details to correct")
    return render(request, "clients/form.html", {"form": form, "client": client})


@require_POST
@staff_required
def client_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the consent the client gave (written, or verbal with who took it and when)."""
    client = client_for(request.user, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            actions.record_consent(
                Context.of(request), client, actions.ConsentData(**form.cleaned_data)
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("clients:detail", pk=client.pk)
    # The refused write's page shows the record again: that is a read of health data.
    context = _client_context(client, consent_form=form)
    record(Context.of(request), AuditEvent.Action.VIEW, client, summary="client record")
    return render(request, "clients/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@staff_required
def intake_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an intake, with a reason; it is screened again (see actions.update_intake)."""
    intake = intake_for(request.user, pk)
    form = IntakeCorrectionForm(request.POST or None, intake=intake)
    if request.method == "POST" and form.is_valid():
        try:
            corrected = actions.update_intake(
                Context.of(request), intake, _intake_data(form), form.cleaned_data["reason"]
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if corrected.notice:
                messages.warning(request, corrected.notice)
            return redirect("clients:intake", pk=intake.pk)
    record(Context.of(request), AuditEvent.Action.VIEW, intake, summary="intake to correct")
    return _intake_form_page(request, intake.client, form, intake)


def _intake_context(intake: Intake, **forms: object) -> dict[str, object]:
    kb = load_default()
    drawing = sorted(intake.drawing.items(), key=lambda item: -item[1])
    return {
        "intake": intake,
        "client": intake.client,
        "screening": actions.screen_intake(intake),
        "profile": factors.factor_profile(kb, intake.factors),
        "drawing": [(kb.regions[r].name, i) for r, i in drawing],
        "svg": mark_safe(_drawing(intake.drawing)),
        "referral_form": ReferralForm(),
        "override_form": OverrideForm(),
        "clearance_form": ClearanceForm(),
        "flag_clearance_form": FlagClearanceForm(),
        "gate": client_queries.gate(intake),
        "changes": list(IntakeRevision.objects.of(intake)),
        # A one-time key for "Start a visit": a double click starts one visit, not two.
        "start_key": uuid.uuid4().hex,
        **forms,
    }


@require_GET
@login_required
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intake = intake_for(request.user, pk)
    record(
        Context.of(request), AuditEvent.Action.VIEW, intake, summary="intake and safety screening"
    )
    return render(request, "clients/intake_detail.html", _intake_context(intake))


def _resolve_gate(
    request: HttpRequest,
    pk: int,
    form_class: type[ReferralForm] | type[OverrideForm] | type[ClearanceForm],
    action: Callable[[Context, Intake, str], Intake],
    context_key: str,
) -> HttpResponse:
    """Record a referral, an override or a doctor's clearance: the ways past the gate."""
    intake = intake_for(request.user, pk)
    form = form_class(request.POST)
    field = next(iter(form.fields))
    if form.is_valid():
        try:
            action(Context.of(request), intake, form.cleaned_data[field])
            return redirect("clients:intake", pk=intake.pk)
        except ActionError as exc:
            form.add_error(field, exc.message)
    context = _intake_context(intake, **{context_key: form})
    # The refused write's page shows the intake again: that is a read of health data.
    record(
        Context.of(request), AuditEvent.Action.VIEW, intake, summary="intake and safety screening"
    )
    return render(request, "clients/intake_detail.html", context, status=400)


@require_POST
@staff_required
def intake_referral(request: HttpRequest, pk: int) -> HttpResponse:
    return _resolve_gate(request, pk, ReferralForm, actions.record_referral, "referral_form")


@require_POST
@staff_required
def intake_override(request: HttpRequest, pk: int) -> HttpResponse:
    return _resolve_gate(request, pk, OverrideForm, actions.override_red_flag, "override_form")


@require_POST
@staff_required
def intake_clearance(request: HttpRequest, pk: int) -> HttpResponse:
    return _resolve_gate(request, pk, ClearanceForm, actions.record_clearance, "clearance_form")


@require_POST
@staff_required
def intake_flag_clearance(request: HttpRequest, pk: int) -> HttpResponse:
    intake = intake_for(request.user, pk)
    form = FlagClearanceForm(request.POST)
    if form.is_valid():
        try:
            data = actions.FlagClearanceData(**form.cleaned_data)
            actions.record_flag_clearance(Context.of(request), intake, data)
            return redirect("clients:intake", pk=intake.pk)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    record(
        Context.of(request), AuditEvent.Action.VIEW, intake, summary="intake and safety screening"
    )
    context = _intake_context(intake, flag_clearance_form=form)
    return render(request, "clients/intake_detail.html", context, status=400)


@require_GET
@staff_required
def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    intake = intake_for(request.user, pk)
    record(Context.of(request), AuditEvent.Action.VIEW, intake, summary="referral letter")
    return render(request, "clients/referral_letter.html", _letter_context(intake))


@require_GET
@staff_required
def referral_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral letter as a PDF (the same letter, drawn by the server)."""
    intake = intake_for(request.user, pk)
    name = f"referral-{intake.client.family_name}-{intake.recorded_at:%Y-%m-%d}.pdf"
    context = _letter_context(intake) | {"pdf": True}
    ctx = Context.of(request)
    return pdf_response(
        request,
        "clients/referral_letter.html",
        context,
        name,
        audit=lambda: record(ctx, AuditEvent.Action.VIEW, intake, summary="referral letter as PDF"),
    )


def _letter_context(intake: Intake) -> dict[str, object]:
    kb = load_default()
    return {
        "intake": intake,
        "client": intake.client,
        "screening": actions.screen_intake(intake),
        "drawing": [(kb.regions[r].name, i) for r, i in intake.drawing.items()],
        "age": intake.client.age_on(intake.recorded_at.date()),
    }


@require_POST
@staff_required
def intake_medications(request: HttpRequest, pk: int) -> HttpResponse:
    """The therapist's answer about a medicine the medications text names: yes, the
    client takes it (record it) or no (not taken)."""
    intake = intake_for(request.user, pk)
    answer = {"yes": True, "no": False}.get(request.POST.get("answer", ""))
    try:
        if answer is None:
            raise Invalid("answer yes (the client takes it) or no (they do not)", "answer")
        target = request.POST.get("target", "").strip()[:100]
        actions.review_medication(Context.of(request), intake, target, answer)
    except ActionError as exc:
        context = _intake_context(intake, medication_error=exc.message)
        record(
            Context.of(request),
            AuditEvent.Action.VIEW,
            intake,
            summary="intake and safety screening",
        )
        return render(request, "clients/intake_detail.html", context, status=400)
    return redirect("clients:intake", pk=intake.pk)
