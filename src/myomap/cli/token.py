"""`myomap token ...`: bearer tokens for the JSON API.

    myomap token create USERNAME [--name NAME] [--days N]   the key is printed once
    myomap token list [USERNAME] [--json]                   every token, or one person's
    myomap token revoke ID | --all USERNAME                 stop a token, or all of theirs

Only a key's hash is stored, so a lost key means a new token. A token lasts --days, else
MYOMAP_TOKEN_DAYS, else 90 days. The shell has no signed-in person: the audit events of
these commands name the token's owner, via "cli"."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from myomap.cli.output import print_json, print_table

PROG = "myomap token"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("token", help="manage JSON API tokens")
    actions = parser.add_subparsers(dest="token_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create a token for a user and print its key once")
    create.add_argument("username", help="the user the token acts as")
    create.add_argument("--name", default="", help="what the token is for (e.g. 'laptop script')")
    create.add_argument(
        "--days", type=int, help="days until it expires (default MYOMAP_TOKEN_DAYS, else 90)"
    )
    create.set_defaults(handler=create_token)

    listing = actions.add_parser("list", help="list tokens: id, user, name, dates, state")
    listing.add_argument("username", nargs="?", help="only this user's tokens")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=list_tokens)

    revoke = actions.add_parser("revoke", help="stop a token working (or all of a user's)")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int, help="the token's id (see `myomap token list`)")
    which.add_argument("--all", metavar="USERNAME", help="revoke every working token of USERNAME")
    revoke.set_defaults(handler=revoke_tokens)


def _setup() -> None:
    import django
    from django.core.management import call_command

    from myomap.web.bootstrap import prepare_environment

    prepare_environment()
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _fail(message: str, code: int = 1) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def _user(username: str, *, active: bool = True) -> Any:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username=username)
    return (users.filter(is_active=True) if active else users).first()


def create_token(args: argparse.Namespace) -> int:
    _setup()
    from django.core.exceptions import ImproperlyConfigured

    from myomap.api import tokens
    from myomap.audit.log import Context
    from myomap.records.errors import ActionError
    from myomap.web.tokens import default_days

    user = _user(args.username)
    if user is None:
        return _fail(f"no active user {args.username!r}")
    try:
        days = args.days if args.days is not None else default_days()
        token, key = tokens.issue(Context(user=user, via="cli"), user, args.name, days)
    except (ActionError, ImproperlyConfigured) as exc:
        return _fail(getattr(exc, "message", str(exc)), 2)
    print(key)
    label = f" ({token.name})" if token.name else ""
    print(
        f"Token {token.pk}{label} for {user.get_username()}, expires "
        f"{token.expires_at:%Y-%m-%d}. Shown once: store it now. "
        f"Use it as 'Authorization: Bearer <key>'.",
        file=sys.stderr,
    )
    return 0


def list_tokens(args: argparse.Namespace) -> int:
    _setup()
    from django.utils import timezone

    from myomap.api.models import ApiToken

    found = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    if args.username:
        user = _user(args.username, active=False)
        if user is None:
            return _fail(f"no user {args.username!r}")
        found = found.filter(user=user)
    now = timezone.now()
    shown = list(found)
    rows = [
        {
            "id": t.pk,
            "user": t.user.get_username(),
            "name": t.name,
            "created": t.created_at.isoformat(),
            "last_used": t.last_used_at.isoformat() if t.last_used_at else None,
            "expires": t.expires_at.isoformat(),
            "revoked": t.revoked_at.isoformat() if t.revoked_at else None,
            "state": t.state(now),
        }
        for t in shown
    ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No tokens." if not args.username else f"No tokens for {args.username}.")
        return 0
    headers = ("ID", "USER", "NAME", "CREATED", "LAST USED", "EXPIRES", "STATE")
    table = [
        (
            str(r["id"]),
            str(r["user"]),
            str(r["name"]) or "-",
            _when(t.created_at),
            _when(t.last_used_at) if t.last_used_at else "never",
            _when(t.expires_at),
            str(r["state"]),
        )
        for r, t in zip(rows, shown, strict=True)
    ]
    print_table(headers, table)
    return 0


def _when(at: Any) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def revoke_tokens(args: argparse.Namespace) -> int:
    _setup()
    from myomap.api import tokens
    from myomap.api.models import ApiToken
    from myomap.audit.log import Context
    from myomap.records.errors import ActionError

    if args.all is not None:
        user = _user(args.all, active=False)
        if user is None:
            return _fail(f"no user {args.all!r}")
        revoked = tokens.revoke_all_for(Context(user=user, via="cli"), user)
        print(f"Revoked {len(revoked)} token{'s' if len(revoked) != 1 else ''} of {args.all}.")
        return 0
    token = ApiToken.objects.select_related("user").filter(pk=args.id).first()
    if token is None:
        return _fail(f"no token {args.id} (see `myomap token list`)")
    try:
        tokens.revoke(Context(user=token.user, via="cli"), token)
    except ActionError as exc:
        return _fail(exc.message)
    print(f"Revoked {token.label} of {token.user.get_username()}.")
    return 0
