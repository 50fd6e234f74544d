"""Entry point: `myomap <command> ...`. Each command lives in its own small module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from myomap import __version__
from myomap.cli import (
    admin,
    backup,
    demo,
    erase,
    explain,
    interop,
    kb,
    regions,
    score,
    serve,
    token,
    worker,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="myomap",
        description="Myomap: a workbench for neuromuscular (trigger point) therapy.",
    )
    parser.add_argument("--version", action="version", version=f"myomap {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve.add_parser(commands)
    regions.add_parser(commands)
    kb.add_parser(commands)
    explain.add_parser(commands)
    token.add_parser(commands)
    admin.add_parser(commands)
    demo.add_parser(commands)
    score.add_parser(commands)
    backup.add_parser(commands)
    interop.add_parser(commands)
    erase.add_parser(commands)
    worker.add_parser(commands)
    manage = commands.add_parser(
        "manage",
        help="run a Django management command (migrate, createsuperuser, ...)",
        add_help=False,
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=_manage)
    return parser


def _manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    from myomap.web.bootstrap import prepare_environment

    prepare_environment()
    execute_from_command_line(["myomap manage", *args.args])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `myomap regions | head`
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
