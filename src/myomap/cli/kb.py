"""`myomap kb check|stats|dump`: validate and inspect the knowledge base."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from myomap.cli.output import print_json, print_table

if TYPE_CHECKING:  # imported lazily: `myomap explain` should not pay for pydantic
    from myomap.core.kb import KnowledgeBase


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("kb", help="check, count or dump the knowledge base")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in [
        ("check", "validate every file; exit 1 and list every problem if any"),
        ("stats", "count the entries of every kind"),
        ("dump", "print the whole validated knowledge base as JSON"),
    ]:
        sub = actions.add_parser(name, help=text)
        sub.add_argument("--path", type=Path, help="a knowledge folder other than the built-in one")
        sub.add_argument("--json", action="store_true", help="print JSON")
        sub.set_defaults(handler=run)
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)


def load_or_report(path: Path | None = None) -> KnowledgeBase | None:
    """The knowledge base, or None after printing every problem to stderr."""
    from myomap.core.kb import KnowledgeBaseError, load, load_default

    try:
        return load(path) if path else load_default()
    except KnowledgeBaseError as exc:
        print(exc, file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    if args.path is not None and not args.path.is_dir():
        print(f"myomap kb: no such folder: {args.path}", file=sys.stderr)
        return 2
    kb = load_or_report(args.path)
    if kb is None:
        return 1
    stats = kb.stats()
    if args.action == "check":
        if args.json:
            print_json({"ok": True, "stats": stats})
        else:
            total = sum(v for k, v in stats.items() if k != "exercises_with_illustrations")
            print(f"Knowledge base OK: {total} entries in {kb.root}")
        return 0
    if args.action == "stats":
        if args.json:
            print_json(stats)
        else:
            print_table(["kind", "count"], [[k, str(v)] for k, v in stats.items()])
        return 0
    print_json(kb.dump())
    return 0
