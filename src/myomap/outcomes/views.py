"""The questionnaire entry page: one per instrument, from the client record or a visit.
Views parse, authorise, call one action, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from myomap.audit.log import Context
from myomap.clients.models import Client
from myomap.clients.queries import client_for
from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes.scoring import number
from myomap.outcomes import actions, queries
from myomap.outcomes.forms import ResponseForm, has_activities, rows
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
    form = ResponseForm(
        inst, given, initial={"visit": visit.pk if visit else None}, wording=wording
    )
    status = 200
    if given is not None:
        status = 400
        if form.is_valid():
            data = actions.ResponseData(
                inst.id,
                form.answers(),
                activities=form.activities(),
                visit=visit,
                taken_at=form.taken_at(),
            )
            try:
                response = actions.record_response(Context.of(request), client, data)
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                band = f" ({response.band})" if response.band else ""
                messages.success(request, f"{inst.short} {number(response.total)}{band} recorded.")
                if visit is not None:
                    return redirect("visits:detail", pk=visit.pk)
                # the record's top, where the message is, not its Outcomes section below
                return redirect(reverse("clients:detail", args=[client.pk]))
    context = {
        "client": client,
        "visit": visit,
        "instrument": inst,
        "form": form,
        "rows": rows(form),
        "activities": has_activities(inst),
        "wording": wording,
    }
    return render(request, "outcomes/entry.html", context, status=status)
