"""A FHIR import from the clinic admin's Data page, in two steps: `check` (upload, a dry
run through `interop.ops.import_fhir_text`, what it would do kept as an ImportCheck) and
`run` (the real import of the checked file, through the same actions and in one
transaction; the check's report is only a preview, so whatever changed since is found
again and a refusal imports nothing). The admin's latest check is read by `latest`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from myomap.audit.log import Context
from myomap.clinicdata.models import ImportCheck
from myomap.interop import ops
from myomap.interop.fhir_report import Item, Report
from myomap.records.errors import ActionError

MAX_BYTES = 20 * 1024 * 1024  # an upload larger than this is refused (the CLI takes any size)
SHOWN = 200  # the report's items listed on the page; the rest are counted
# What the check says would happen to each resource, in the page's words.
OUTCOME_WORDS = {
    "create": "new: would be created",
    "match": "already here: matched by its identifier",
    "skip": "not imported",
}


@dataclass(frozen=True)
class Checked:
    """An admin's latest check, as the page shows it."""

    pk: int
    name: str
    checked_at: Any
    report: Report

    @property
    def shown(self) -> list[tuple[str, str, str]]:
        """(what would happen, the resource, why) for the first SHOWN items."""
        return [
            (OUTCOME_WORDS.get(i.outcome, i.outcome), i.label, i.why)
            for i in self.report.items[:SHOWN]
        ]

    @property
    def counts(self) -> dict[str, int]:
        return {o: self.report.count(o) for o in OUTCOME_WORDS}

    @property
    def more(self) -> int:
        return max(0, len(self.report.items) - SHOWN)


def _report(row: ImportCheck) -> Report:
    items = [Item(str(o), str(label), str(why)) for o, label, why in row.items]
    return Report(dry_run=True, items=items, problems=[str(p) for p in row.problems])


def latest(user: Any) -> Checked | None:
    row = ImportCheck.objects.filter(checked_by=user, clinic=user.clinic).first()
    if row is None:
        return None
    return Checked(row.pk, row.name, row.checked_at, _report(row))


def check(ctx: Context, name: str, data: bytes) -> Checked:
    """Check an uploaded Bundle (a dry run: nothing of the clinic's records is written) and
    keep it with its report for `run`. A file that is too big or not UTF-8 text is refused
    naming the file; a Bundle with problems is kept too, so the page can list them."""
    if not data:
        raise ActionError("the file is empty: choose a FHIR Bundle (.json)", field="bundle")
    if len(data) > MAX_BYTES:
        raise ActionError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB: the page takes Bundles up to "
            f"{MAX_BYTES // 1024 // 1024} MB (use `myomap import fhir` for larger ones)",
            field="bundle",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ActionError(
            f"{name} is not UTF-8 text: a FHIR Bundle is JSON", field="bundle"
        ) from None
    report = ops.import_fhir_text(ctx, text, name, dry_run=True)
    with transaction.atomic():
        ImportCheck.objects.filter(checked_by=ctx.user).delete()
        row = ImportCheck.objects.create(
            clinic=ctx.user.clinic,
            checked_by=ctx.user,
            name=name[:200],
            text=text,
            items=[[i.outcome, i.label, i.why] for i in report.items],
            problems=list(report.problems),
            checked_at=ctx.now,
        )
    return Checked(row.pk, row.name, row.checked_at, report)


def run(ctx: Context, pk: int) -> Report:
    """Import the admin's checked Bundle `pk` for real (audited); the check is gone after a
    successful import. Refused when there is no such check of theirs, or when the check
    found problems (nothing to import)."""
    row = ImportCheck.objects.filter(pk=pk, checked_by=ctx.user, clinic=ctx.user.clinic).first()
    if row is None:
        raise ActionError("there is no checked Bundle to import: choose a file and check it first")
    if row.problems:
        raise ActionError(f"{row.name} was refused by its check: fix the file and check it again")
    report = ops.import_fhir_text(ctx, row.text, row.name, dry_run=False)
    if report.ok:
        row.delete()
    return report


def discard(ctx: Context) -> bool:
    """Forget the admin's check (the uploaded file with it); whether there was one."""
    deleted, _ = ImportCheck.objects.filter(checked_by=ctx.user).delete()
    return deleted > 0
