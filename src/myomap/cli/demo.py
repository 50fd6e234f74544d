"""`myomap demo` and `myomap demo --remove`: the demo clinic, created or taken away.

The demo logins have public passwords: `--remove` deletes the demo clinic with its clients,
records and accounts before the installation is put on a network (a server with secure
settings refuses to start while any demo account exists)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "demo", help="create the demo clinic and its logins (or --remove it)"
    )
    parser.add_argument(
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
    return 0
