"""`myomap admin create USERNAME --clinic NAME` and `myomap admin link USERNAME`: the first
clinic admin of a real installation, without a password anybody else knows.

No password is asked for or printed: the account gets an unusable one and the command
prints a one-time link where the admin sets their own (it stops working once used)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_URL = "http://localhost:8000"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "admin", help="create a clinic admin and print a one-time link to set the password"
    )
    actions = parser.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create", help="create a clinic admin (and the clinic) and print a one-time link"
    )
    create.add_argument("username", help="the admin's username")
    create.add_argument(
        "--clinic", required=True, help="the clinic's name (created if there is none)"
    )
    link = actions.add_parser(
        "link", help="print a new one-time link to set a user's password (e.g. expired)"
    )
    link.add_argument("username", help="the user whose password is to be set")
    for sub in (create, link):
        sub.add_argument(
            "--url",
            default=DEFAULT_URL,
            help=f"the address Myomap is reached at, for the link (default {DEFAULT_URL})",
        )
    create.set_defaults(handler=create_admin)
    link.set_defaults(handler=print_link)


def _setup() -> None:
    import django
    from django.core.management import call_command

    from myomap.web.bootstrap import prepare_environment

    prepare_environment()
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _show(link: str, username: str) -> None:
    from django.conf import settings

    days = max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 86400)
    print(link)
    print(
        f"Open this link to set {username}'s password (it works once, for {days} days), "
        "then sign in. Send it only to that person.",
        file=sys.stderr,
    )


def create_admin(args: argparse.Namespace) -> int:
    _setup()
    from myomap.audit.log import Context
    from myomap.web.admins import AdminError, create_clinic_admin, password_link

    try:
        admin, new_clinic = create_clinic_admin(
            Context(user=None, via="cli"), args.username, args.clinic
        )
    except AdminError as exc:
        print(f"myomap admin: {exc}", file=sys.stderr)
        return 2
    clinic = f"the new clinic {admin.clinic}" if new_clinic else f"the clinic {admin.clinic}"
    print(f"Created {admin.username}, clinic admin of {clinic}.", file=sys.stderr)
    _show(password_link(admin, args.url), admin.username)
    return 0


def print_link(args: argparse.Namespace) -> int:
    _setup()
    from myomap.accounts.models import User
    from myomap.audit.log import Context, record
    from myomap.web.admins import password_link

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        print(f"myomap admin: no active user {args.username!r}", file=sys.stderr)
        return 1
    link = password_link(user, args.url)
    # Whoever runs this can set the password: the clinic's log says a link was printed.
    record(
        Context(user=None, via="cli"),
        "update",
        user,
        summary=f"printed a one-time password link for {user.username} (myomap admin link)",
    )
    _show(link, user.username)
    return 0
