"""`myomap erase`: erasure on request, by the clinic admin (docs/erasure.md).

    myomap erase --user carol --retention-years 10       the clinic's legal minimum
    myomap erase --user carol --client 12 --requested-by "the client, in writing" \\
                 --requested-on 2026-03-02             erase the client's record

The record goes; the audit log keeps its events, redacted; an erasure record says who
asked and when. A client whose newest signed note is younger than the clinic's minimum
is refused, saying from which day the erasure is allowed."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

PROG = "myomap erase"


def add_parser(commands: Any) -> None:
    erase = commands.add_parser("erase", help="erase a client on request (clinic admin)")
    erase.add_argument("--user", required=True, metavar="USERNAME", help="the clinic admin")
    what = erase.add_mutually_exclusive_group(required=True)
    what.add_argument("--client", type=int, help="the client to erase")
    what.add_argument(
        "--retention-years", type=int, metavar="N", help="set the legal minimum for signed records"
    )
    erase.add_argument("--requested-by", default="", help="who asked (not the client's name)")
    erase.add_argument(
        "--requested-on", type=dt.date.fromisoformat, help="the day they asked (YYYY-MM-DD)"
    )
    erase.set_defaults(handler=run_erase)


def _fail(message: str, code: int = 2) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def run_erase(args: argparse.Namespace) -> int:
    import django

    from myomap.web.bootstrap import prepare_environment

    prepare_environment()
    django.setup()
    from django.contrib.auth import get_user_model

    from myomap.audit.log import Context
    from myomap.clients.models import Client
    from myomap.erasure import actions
    from myomap.records.errors import ActionError

    user = get_user_model().objects.filter(username=args.user, is_active=True).first()
    if user is None:
        return _fail(f"no active user {args.user!r}")
    ctx = Context(user=user, via="cli")
    try:
        if args.retention_years is not None:
            rule = actions.set_retention(ctx, args.retention_years)
            print(f"Signed records are kept {rule.signed_record_years} years before erasure.")
            return 0
        client = Client.objects.filter(pk=args.client, clinic=user.clinic).first()
        if client is None:
            return _fail(f"no client {args.client} in your clinic")
        if args.requested_on is None:
            return _fail("give --requested-on, the day the erasure was asked for")
        done = actions.erase_client(
            ctx, client, actions.ErasureRequest(args.requested_by, args.requested_on)
        )
    except ActionError as exc:
        return _fail(exc.message)
    rows = sum(done.rows_deleted.values())
    print(
        f"Client {done.client_number} erased: {rows} rows deleted, "
        f"{done.events_redacted} audit events redacted (erasure record {done.pk})."
    )
    return 0
