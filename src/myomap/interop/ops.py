"""The exports and the import as the command line runs them: read, write the file
(0600), and put each in the audit log (one event per client exported)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.interop import InteropError, csv_export, fhir_export, gather
from myomap.interop.fhir_import import audit_import, import_bundle
from myomap.interop.fhir_report import Report
from myomap.interop.files import write_private
from myomap.visits import queries as visit_queries


def _audit_export(ctx: Context, clients: list[Any], what: str) -> None:
    for client in clients:
        record(ctx, AuditEvent.Action.EXPORT, client, summary=what)


def export_fhir(ctx: Context, client_id: int | None, path: Path) -> int:
    """A collection Bundle of one client or every client the person may see; its size."""
    rows = list(gather.every(ctx.user, client_id))
    bundle = fhir_export.collection(rows, ctx.now, ctx.user)
    write_private(path, bundle.model_dump_json(indent=2).encode("utf-8"))
    _audit_export(ctx, [r.client for r in rows], f"FHIR export to {path.name}")
    return len(bundle.entry or [])


def fhir_download(ctx: Context, client_id: int | None, name: str) -> Iterator[bytes]:
    """The collection Bundle of `export_fhir` for a download, as JSON chunks written one
    client at a time (`fhir_export.stream`). Who may see which clients is settled and the
    export audited now, before the first byte: a client this person may not see is a 404
    here, not a broken download."""
    clients = gather.clients_for(ctx.user, client_id)
    _audit_export(ctx, clients, f"FHIR export downloaded as {name}")
    rows = (gather.rows_of(ctx.user, client) for client in clients)
    return fhir_export.stream(rows, ctx.now, ctx.user)


def csv_download(ctx: Context, folder: str, scratch: Path) -> Iterator[bytes]:
    """The files of `export_csv` (README.csv the data dictionary) as one .zip streamed in
    chunks (`csv_export.stream_zip`, its tables spooled in `scratch`), audited now, before
    the first byte, as `fhir_download` is."""
    clients = gather.clients_for(ctx.user, None)
    _audit_export(ctx, clients, f"CSV export downloaded as {folder}.zip")
    rows = (gather.rows_of(ctx.user, client) for client in clients)
    return csv_export.stream_zip(rows, folder, scratch)


def export_document(ctx: Context, visit_id: int, path: Path) -> int:
    """The visit's signed note as a document Bundle; its size."""
    visit = visit_queries.visit_for(ctx.user, visit_id)
    rows = gather.rows_of(ctx.user, visit.client)
    found = next((v for v in rows.visits if v.visit.pk == visit.pk), None)
    if found is None or found.signed is None:
        raise InteropError(f"visit {visit_id} has no signed note: sign it first")
    bundle = fhir_export.document(rows, found, ctx.now)
    write_private(path, bundle.model_dump_json(indent=2).encode("utf-8"))
    _audit_export(ctx, [visit.client], f"FHIR document of a signed note to {path.name}")
    return len(bundle.entry or [])


def export_csv(ctx: Context, folder: Path) -> dict[str, int]:
    rows = list(gather.every(ctx.user, None))
    made = csv_export.write_folder(folder, rows)
    _audit_export(ctx, [r.client for r in rows], f"CSV export to {folder.name}")
    return made


def import_fhir(ctx: Context, path: Path, *, dry_run: bool) -> Report:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InteropError(f"cannot read {path}: {exc}") from None
    return import_fhir_text(ctx, text, path.name, dry_run=dry_run)


def import_fhir_text(ctx: Context, text: str, name: str, *, dry_run: bool) -> Report:
    """The one FHIR import, from the command line or the Data page: a Bundle's text,
    through the same actions as the web, in one transaction; audited when it wrote."""
    report = import_bundle(ctx.user, text, now=ctx.now, dry_run=dry_run)
    if report.ok and not dry_run:
        audit_import(ctx, report, name)
    return report
