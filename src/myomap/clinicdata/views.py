"""The clinic admin's data pages: downloads, the nightly backup, the retention minimum,
erasure on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients import queries as client_queries
from myomap.clients.models import Client
from myomap.clinicdata import backups, imports, nightly
from myomap.erasure import actions as erasure
from myomap.erasure import queries as erasure_queries
from myomap.interop import ops
from myomap.records.access import admin_required
from myomap.records.errors import ActionError
from myomap.records.forms import PlainTextForm

R = TypeVar("R", HttpResponse, StreamingHttpResponse)
MATCHES = 20  # clients listed for a name search
ERASURES = 20  # erasures listed


class RetentionForm(PlainTextForm):
    years = forms.IntegerField(
        label="Years a signed note is kept",
        min_value=0,
        max_value=erasure.MAX_YEARS,
        help_text="The legal minimum that applies to the clinic, counted from the signature.",
    )


class ImportForm(forms.Form):
    bundle = forms.FileField(
        label="FHIR Bundle (.json)",
        help_text="A Bundle exported from Myomap or another system. It is checked first: "
        "nothing is imported until you confirm.",
        error_messages={"required": "Choose the Bundle's file to check."},
    )


class BackupForm(forms.Form):
    passphrase = forms.CharField(
        label="Passphrase (to encrypt it)",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Optional, at least 8 characters. Without it the file is not encrypted: "
        "keep it as safe as the server itself. Without the passphrase it cannot be restored.",
    )
    again = forms.CharField(
        label="The passphrase again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("passphrase", "") != data.get("again", ""):
            self.add_error("again", "The two passphrases differ: type the same one twice.")
        return data


class ErasureForm(PlainTextForm):
    requested_by = forms.CharField(
        label="Who asked",
        max_length=200,
        help_text="For example 'the client, by letter'. Not the client's name.",
    )
    requested_on = forms.DateField(
        label="The day they asked",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


def _clinic_name(request: HttpRequest) -> str:
    return slugify(str(request.user.clinic)) or "clinic"  # type: ignore[union-attr]


def _today(ctx: Context) -> str:
    return f"{ctx.now:%Y-%m-%d}"


@require_GET
@admin_required
def page(request: HttpRequest) -> HttpResponse:
    return _page(request, RetentionForm())


def _page(
    request: HttpRequest,
    form: RetentionForm,
    status: int = 200,
    import_form: ImportForm | None = None,
    backup_form: BackupForm | None = None,
) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    matches = list(client_queries.client_list_rows(request.user, query)[:MATCHES]) if query else []
    rule = erasure_queries.retention_of(request.user)
    if rule is not None and not form.is_bound:
        form = RetentionForm(initial={"years": rule.signed_record_years})
    context = {
        "query": query,
        "matches": matches,
        "more": MATCHES,
        "rule": rule,
        "form": form,
        "erasures": list(erasure_queries.erasures_of(request.user)[:ERASURES]),
        "backup": nightly.status(),
        "import_form": import_form or ImportForm(),
        "backup_form": backup_form or BackupForm(),
        "backup_refused": backups.allowed(request.user),
        "checked": imports.latest(request.user),
    }
    return render(request, "clinic/data.html", context, status=status)


def _download(response: R, name: str) -> R:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@admin_required
def fhir_clinic(request: HttpRequest) -> Any:  # a StreamingHttpResponse
    ctx = Context.of(request)
    name = f"{_clinic_name(request)}-{_today(ctx)}.fhir.json"
    chunks = ops.fhir_download(ctx, None, name)
    return _download(StreamingHttpResponse(chunks, content_type="application/fhir+json"), name)


@require_GET
@admin_required
def fhir_client(request: HttpRequest, pk: int) -> Any:  # a StreamingHttpResponse
    ctx = Context.of(request)
    name = f"client-{pk}-{_today(ctx)}.fhir.json"  # a number, never a name, in a file name
    chunks = ops.fhir_download(ctx, pk, name)
    return _download(StreamingHttpResponse(chunks, content_type="application/fhir+json"), name)


@require_GET
@admin_required
def csv_zip(request: HttpRequest) -> Any:  # a StreamingHttpResponse
    ctx = Context.of(request)
    folder = f"{_clinic_name(request)}-csv-{_today(ctx)}"
    chunks = ops.csv_download(ctx, folder, Path(settings.DATA_DIR))
    return _download(StreamingHttpResponse(chunks, content_type="application/zip"), f"{folder}.zip")


@require_POST
@admin_required
def retention(request: HttpRequest) -> HttpResponse:
    form = RetentionForm(request.POST)
    if form.is_valid():
        try:
            rule = erasure.set_retention(Context.of(request), form.cleaned_data["years"])
        except ActionError as exc:
            form.add_error("years", exc.message)
        else:
            years = rule.signed_record_years
            messages.success(request, f"Signed records are kept {years} years before erasure.")
            return redirect("clinic_data:page")
    return _page(request, form, status=400)


@require_POST
@admin_required
def backup_download(request: HttpRequest) -> Any:  # a FileResponse, or the page again
    """A backup of the installation, made now and sent as a download (then removed here)."""
    refused = backups.allowed(request.user)
    if refused is not None:
        messages.error(request, f"No backup was made: {refused}.")
        return redirect(f"{reverse('clinic_data:page')}#backup-now")
    form = BackupForm(request.POST)
    if form.is_valid():
        ctx = Context.of(request)
        try:
            path = backups.make_download(ctx, form.cleaned_data["passphrase"] or None)
        except ActionError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            handle = path.open("rb")
            path.unlink()  # the open file is still read to its end; nothing stays behind
            response = FileResponse(handle, content_type="application/octet-stream")
            return _download(response, backups.file_name(ctx))
    return _page(request, RetentionForm(), status=400, backup_form=form)


@require_POST
@admin_required
def import_check(request: HttpRequest) -> HttpResponse:
    """Upload and check a Bundle (a dry run); the Data page then shows what it would do."""
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["bundle"]
        try:
            imports.check(Context.of(request), upload.name, upload.read())
        except ActionError as exc:
            form.add_error("bundle", exc.message)
        else:
            return redirect(f"{reverse('clinic_data:page')}#fhir-import")
    return _page(request, RetentionForm(), status=400, import_form=form)


@require_POST
@admin_required
def import_run(request: HttpRequest) -> HttpResponse:
    """Import the Bundle the admin checked, for real."""
    ctx = Context.of(request)
    try:
        pk = int(request.POST.get("check", ""))
    except ValueError:
        pk = 0
    try:
        report = imports.run(ctx, pk)
    except ActionError as exc:
        messages.error(request, f"Nothing was imported: {exc.message}")
    else:
        if report.ok:
            created, matched = report.count("create"), report.count("match")
            messages.success(
                request, f"Imported: {created} created, {matched} matched by identifier."
            )
        else:
            problems = "; ".join(report.problems)
            messages.error(request, f"Nothing was imported: the import was refused: {problems}")
    return redirect(f"{reverse('clinic_data:page')}#fhir-import")


@require_POST
@admin_required
def import_discard(request: HttpRequest) -> HttpResponse:
    if imports.discard(Context.of(request)):
        messages.success(request, "The checked Bundle is discarded: nothing was imported.")
    return redirect(f"{reverse('clinic_data:page')}#fhir-import")


@require_GET
@admin_required
def erase_page(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_queries.client_for(request.user, pk)
    ctx = Context.of(request)
    record(ctx, AuditEvent.Action.VIEW, client, summary="erasure: what would go")
    form = ErasureForm(initial={"requested_on": ctx.now.date()})
    return _erase_page(request, ctx, client, form)


def _erase_page(
    request: HttpRequest, ctx: Context, client: Client, form: ErasureForm, status: int = 200
) -> HttpResponse:
    preview = erasure.preview(ctx, client)
    context = {
        "client": client,
        "form": form,
        "preview": preview,
        "rule": erasure_queries.retention_of(request.user),
        "rows": erasure_queries.in_words(preview.rows_deleted),
        "total": sum(preview.rows_deleted.values()),
    }
    return render(request, "clinic/erase.html", context, status=status)


@require_POST
@admin_required
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_queries.client_for(request.user, pk)
    ctx = Context.of(request)
    form = ErasureForm(request.POST)
    if form.is_valid():
        asked = erasure.ErasureRequest(
            form.cleaned_data["requested_by"], form.cleaned_data["requested_on"]
        )
        try:
            done = erasure.erase_client(ctx, client, asked)
        except ActionError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            rows = sum(done.rows_deleted.values())
            messages.success(
                request,
                f"Client {done.client_number} is erased: {rows} rows deleted, "
                f"{done.events_redacted} audit events redacted (erasure record {done.pk}).",
            )
            return redirect("clinic_data:page")
    return _erase_page(request, ctx, client, form, status=400)
