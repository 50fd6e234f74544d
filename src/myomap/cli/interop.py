"""`myomap export fhir|csv ...` and `myomap import fhir ...`: a clinic's data out as FHIR R4
or CSV, and a FHIR Bundle in, as a staff member of the clinic (`--user`).

    myomap export fhir --user alice [--client ID] FILE   a collection Bundle
    myomap export fhir --user alice --note VISIT FILE    a signed note as a document Bundle
    myomap export csv --user alice DIR                   clients, visits, findings, treatments
    myomap import fhir --user alice [--dry-run] FILE     through the same actions as the web

Files are written 0600 (a CSV folder 0700) and never over an existing one; every export
and import is in the audit log, via "cli". See docs/interop.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

PROG = "myomap"


def add_parser(commands: Any) -> None:
    export = commands.add_parser("export", help="export the clinic's records as FHIR or CSV")
    formats = export.add_subparsers(dest="format", metavar="FORMAT", required=True)
    fhir = formats.add_parser("fhir", help="a FHIR R4 Bundle (JSON)")
    _user(fhir)
    which = fhir.add_mutually_exclusive_group()
    which.add_argument("--client", type=int, help="only this client (default: every client)")
    which.add_argument("--note", type=int, metavar="VISIT", help="the visit's signed note only")
    fhir.add_argument("file", type=Path, help="the file to write (must not exist)")
    fhir.set_defaults(handler=run_export_fhir)
    table = formats.add_parser("csv", help="CSV files for a spreadsheet, with a data dictionary")
    _user(table)
    table.add_argument("dir", type=Path, help="a new (or empty) folder to write into")
    table.set_defaults(handler=run_export_csv)

    imports = commands.add_parser("import", help="import a FHIR Bundle")
    kinds = imports.add_subparsers(dest="format", metavar="FORMAT", required=True)
    bundle = kinds.add_parser("fhir", help="a FHIR R4 Bundle (JSON)")
    _user(bundle)
    bundle.add_argument(
        "--dry-run", action="store_true", help="report what would be done; change nothing"
    )
    bundle.add_argument("file", type=Path, help="the Bundle to import")
    bundle.set_defaults(handler=run_import_fhir)


def _user(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user", required=True, metavar="USERNAME", help="the therapist or clinic admin acting"
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _context(username: str) -> Any:
    import django

    from myomap.web.bootstrap import prepare_environment

    prepare_environment()
    django.setup()
    from django.contrib.auth import get_user_model

    from myomap.audit.log import Context
    from myomap.interop import InteropError

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not user.is_staff_member:
        raise InteropError(f"no active therapist or clinic admin {username!r}")
    return Context(user=user, via="cli")


def _guarded(args: argparse.Namespace, run: Any) -> int:
    from django.http import Http404

    from myomap.interop import InteropError

    try:
        return int(run(_context(args.user)))
    except InteropError as exc:
        _say(f"{PROG} {args.command} {args.format}: {exc.message}")
        return exc.code
    except Http404:
        _say(f"{PROG} {args.command} {args.format}: no such client or visit in your clinic")
        return 2


def run_export_fhir(args: argparse.Namespace) -> int:
    def run(ctx: Any) -> int:
        from myomap.interop import ops

        if args.note is not None:
            size = ops.export_document(ctx, args.note, args.file)
            print(
                f"Document Bundle of visit {args.note}'s signed note: {size} resources "
                f"in {args.file} (0600)"
            )
        else:
            size = ops.export_fhir(ctx, args.client, args.file)
            print(f"Collection Bundle: {size} resources in {args.file} (0600)")
        return 0

    return _guarded(args, run)


def run_export_csv(args: argparse.Namespace) -> int:
    def run(ctx: Any) -> int:
        from myomap.interop import ops

        made = ops.export_csv(ctx, args.dir)
        rows = ", ".join(f"{name} {count}" for name, count in made.items())
        print(f"CSV written to {args.dir} (rows: {rows}); the data dictionary is README.csv")
        return 0

    return _guarded(args, run)


def run_import_fhir(args: argparse.Namespace) -> int:
    def run(ctx: Any) -> int:
        from myomap.interop import ops

        report = ops.import_fhir(ctx, args.file, dry_run=args.dry_run)
        for line in report.lines():
            print(line)
        counts = ", ".join(f"{report.count(o)} {o}" for o in ("create", "match", "skip"))
        if not report.ok:
            print(f"Refused: {len(report.problems)} problem(s); nothing was imported.")
            return 1
        done = "Dry run, nothing changed" if args.dry_run else "Imported"
        print(f"{done}: {counts}.")
        return 0

    return _guarded(args, run)
