"""The questionnaire entry page (one per instrument, from the client record or a visit),
and one response's page, where it is voided or corrected. Views parse, authorise, call one
action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.clients.queries import client_for
from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes.scoring import number
from myomap.outcomes import actions, forms, pages, queries
from myomap.outcomes.forms import (
    CorrectionForm,
    ResponseForm,
    VoidForm,
    blank_hint,
    has_activities,
    rows,
)
from myomap.outcomes.models import QuestionnaireResponse
from myomap.records.access import staff_required
from myomap.records.errors import ActionError
from myomap.visits.models import Visit
from myomap.visits.queries import visit_for


def _instrument(instrument: str) -> Instrument:
    found = load_default().instruments.get(instrument)
    if found is None:
        raise Http404("no such questionnaire")
    return found


def _visit(request: HttpRequest, client: Client, pk: object) -> Visit | None:
    """The visit the response is taken at: one of this client's, else 404."""
    if pk in (None, ""):
        return None
    try:
        number_ = int(str(pk))
    except ValueError:
        raise Http404("no such visit") from None
    visit = visit_for(request.user, number_)
    if visit.client_id != client.pk:
        raise Http404("no such visit")
    return visit


@require_http_methods(["GET", "POST"])
@staff_required
def entry(request: HttpRequest, pk: int, instrument: str) -> HttpResponse:
    client = client_for(request.user, pk)
    inst = _instrument(instrument)
    given = request.POST if request.method == "POST" else None
    visit = _visit(request, client, (given or request.GET).get("visit"))
    wording = queries.wording_for(getattr(request.user, "clinic_id", None), inst)
    # the PSFS asks for the activities named at the episode's baseline again
    baseline = (
        queries.episode_baseline(request.user, client, inst, visit, timezone.now())
        if has_activities(inst)
        else None
    )
    initial = {"visit": visit.pk if visit else None} | forms.same_activities(inst, baseline)
    form = ResponseForm(inst, given, initial=initial, wording=wording)
    status = 200
    if given is not None:
        status = 400
        if form.is_valid():
            try:
                response = actions.record_response(
                    Context.of(request), client, _data(form, inst, visit)
                )
            except ActionError as exc:
                form.add_error(_field_of(form, exc.field), exc.message)
            else:
                return _saved(request, response, inst, visit)
    if baseline is not None:  # the page shows the baseline's activities and ratings
        summary = f"{inst.short} baseline activities"
        record(Context.of(request), AuditEvent.Action.VIEW, client, summary=summary)
    context = _page(client, inst, visit, form, wording) | {"baseline": baseline}
    return render(request, "outcomes/entry.html", context, status=status)


def _field_of(form: ResponseForm, field: str | None) -> str | None:
    """The form's field an action's refusal is about: its own name, or the day the form
    asks for where the action names the moment (`taken_at`); else the form as a whole."""
    name = "taken_on" if field == "taken_at" else field
    return name if name in form.fields else None


def _data(form: ResponseForm, inst: Instrument, visit: Visit | None) -> actions.ResponseData:
    return actions.ResponseData(
        inst.id,
        form.answers(),
        activities=form.activities(),
        visit=visit,
        taken_at=form.taken_at(),
    )


def _saved(
    request: HttpRequest, response: QuestionnaireResponse, inst: Instrument, visit: Visit | None
) -> HttpResponse:
    band = f" ({response.band})" if response.band else ""
    corrected = " (the correction)" if response.replaces_id else ""
    messages.success(request, f"{inst.short} {number(response.total)}{band} recorded{corrected}.")
    if visit is not None:
        return redirect("visits:detail", pk=visit.pk)
    # the record's top, where the message is, not its Outcomes section below
    return redirect(reverse("clients:detail", args=[response.client_id]))


def _page(
    client: Client, inst: Instrument, visit: Visit | None, form: ResponseForm, wording: Any
) -> dict[str, Any]:
    return {
        "client": client,
        "visit": visit,
        "instrument": inst,
        "form": form,
        "rows": rows(form),
        "activities": has_activities(inst),
        "blank_hint": blank_hint(inst),
        "wording": wording,
    }


def _response(request: HttpRequest, pk: int, response_pk: int) -> QuestionnaireResponse:
    """One of this client's responses, for staff of its clinic; else 404."""
    return queries.client_response(request.user, client_for(request.user, pk), response_pk)


@require_GET
@staff_required
def response(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    """One response as entered, with its void and correct forms (or how it was voided)."""
    found = _response(request, pk, response_pk)
    record(Context.of(request), AuditEvent.Action.VIEW, found, summary="questionnaire response")
    return render(request, "outcomes/response.html", pages.response(found, VoidForm()))


@require_POST
@staff_required
def void(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    found = _response(request, pk, response_pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            voided = actions.void_response(Context.of(request), found, form.cleaned_data["reason"])
        except ActionError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(request, pages.voided_message(voided))
            return redirect(reverse("clients:detail", args=[found.client_id]) + "#outcomes")
    return render(request, "outcomes/response.html", pages.response(found, form), status=400)


@require_http_methods(["GET", "POST"])
@staff_required
def correct(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    """The entry form filled in with the response's answers: saving it voids the response
    with the reason given and stores the corrected one in its place."""
    found = _response(request, pk, response_pk)
    inst = _instrument(found.instrument)
    given = request.POST if request.method == "POST" else None
    wording = queries.wording_for(getattr(request.user, "clinic_id", None), inst)
    form = CorrectionForm(inst, given, initial=forms.initial_of(inst, found), wording=wording)
    status = 200
    if given is None:
        record(Context.of(request), AuditEvent.Action.VIEW, found, summary="response to correct")
    else:
        status = 400
        if form.is_valid():
            data = _data(form, inst, found.visit)
            try:
                fixed = actions.correct_response(
                    Context.of(request), found, data, form.cleaned_data["reason"]
                )
            except ActionError as exc:
                form.add_error(_field_of(form, exc.field), exc.message)
            else:
                return _saved(request, fixed, inst, found.visit)
    context = _page(found.client, inst, found.visit, form, wording) | {"corrects": found}
    return render(request, "outcomes/entry.html", context, status=status)
