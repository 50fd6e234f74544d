"""`myomap demo`, `myomap demo --clients N` and `myomap demo --remove`: the demo clinic,
created, grown to a clinic network's size, or taken away.

The demo logins have public passwords: `--remove` deletes the demo clinic with its clients,
records and accounts before the installation is put on a network (a server with secure
settings refuses to start while any demo account exists).

`--clients N` also gives the demo clinic N synthetic clients with intakes and visits
(`myomap.web.demo_clinic`), to look at and measure the pages at scale (`make bench-web`
seeds 10,000). Run again, it adds only what is missing up to N."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

MAX_CLIENTS = 100_000  # the same bound as myomap.web.demo_clinic.MAX_CLIENTS


def client_count(text: str) -> int:
    """--clients: a whole number from 1 to MAX_CLIENTS."""
    try:
        number = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        number = 0
    if not 0 < number <= MAX_CLIENTS:
        raise argparse.ArgumentTypeError(
            f"give the number of synthetic clients, a whole number from 1 to "
            f"{MAX_CLIENTS:,} (e.g. --clients 10000), not {text!r}"
        )
    return number


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "demo", help="create the demo clinic and its logins (or --remove it)"
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--clients",
        type=client_count,
        metavar="N",
        help="also give the demo clinic N synthetic clients (at most "
        f"{MAX_CLIENTS:,}) with intakes and visits, to see the pages at scale; run again, "
        "it adds only what is missing up to N",
    )
    what.add_argument(
        "--remove",
        action="store_true",
        help="delete the demo clinic, its clients and records, and every demo account",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import django
    from django.core.management import call_command
    from django.db.models import ProtectedError

    from myomap.web.bootstrap import prepare_environment, secure_settings_on

    secure = secure_settings_on()
    if secure and not args.remove:
        print(
            "myomap demo: the demo logins have public passwords; refused with "
            f"{' and '.join(secure)} on (a server on a network)",
            file=sys.stderr,
        )
        return 2
    prepare_environment()
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)

    from myomap.web.demo import ensure_demo_data, remove_demo_data

    if args.remove:
        try:
            removed = remove_demo_data()
        except ProtectedError as exc:
            print(f"myomap demo: cannot remove the demo clinic: {exc.args[0]}", file=sys.stderr)
            return 1
        if removed:
            print(f"Removed the demo clinic and the demo accounts: {', '.join(removed)}.")
        else:
            print("No demo accounts: nothing to remove.")
        return 0
    logins = ensure_demo_data()
    if not logins:
        print("The demo data is there already; no login was created.")
    for login in logins:
        print(f"Demo {login.role} login: {login.username} / {login.password}")
    if args.clients is not None:
        return _seed(args.clients)
    return 0


def _seed(total: int) -> int:
    from django.utils import timezone

    from myomap.accounts.models import User
    from myomap.web import demo_clinic

    clinic = demo_clinic.demo_clinic()
    therapist = (
        User.objects.filter(clinic=clinic, role=User.Role.THERAPIST, is_active=True)
        .order_by("pk")
        .first()
    )
    if clinic is None or therapist is None:
        print(
            "myomap demo: the demo clinic has no active therapist to record the synthetic "
            "clients; remove it (myomap demo --remove) and run myomap demo again",
            file=sys.stderr,
        )
        return 1
    have = demo_clinic.synthetic_count(clinic)
    if have >= total:
        print(f"The demo clinic has {have:,} synthetic clients already; none added.")
        return 0
    began = time.monotonic()

    def progress(done: int, of: int) -> None:
        print(f"Seeding clients: {done:,}/{of:,}", flush=True)

    added = demo_clinic.seed_clients(
        clinic, therapist, total, now=timezone.now(), progress=progress
    )
    print(
        f"Added {added:,} synthetic clients to the demo clinic ({total:,} in all) "
        f"in {time.monotonic() - began:.1f} s."
    )
    return 0
