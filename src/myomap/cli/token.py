"""`myomap token create USERNAME [--name NAME]`: a bearer token for the JSON API.

The key is printed once; only its hash is stored, so a lost key means a new token."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("token", help="manage JSON API tokens")
    actions = parser.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a token for a user and print its key once")
    create.add_argument("username", help="the user the token acts as")
    create.add_argument("--name", default="", help="what the token is for (e.g. 'laptop script')")
    create.set_defaults(handler=create_token)


def create_token(args: argparse.Namespace) -> int:
    import django
    from django.core.management import call_command

    from myomap.web.bootstrap import prepare_environment

    prepare_environment()
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)

    from django.contrib.auth import get_user_model

    from myomap.api.models import ApiToken

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None or not user.is_active:
        print(f"myomap token: no active user {args.username!r}", file=sys.stderr)
        return 1
    token, key = ApiToken.issue(user, args.name)
    print(key)
    label = f" ({token.name})" if token.name else ""
    print(
        f"Token {token.pk}{label} for {user.get_username()}. Shown once: store it now. "
        f"Use it as 'Authorization: Bearer <key>'.",
        file=sys.stderr,
    )
    return 0
