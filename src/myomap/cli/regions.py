"""`myomap regions [--json]`: every body-map region."""

from __future__ import annotations

import argparse
from typing import Any

from myomap.cli.kb import load_or_report
from myomap.cli.output import print_json, print_table


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("regions", help="list every body-map region")
    parser.add_argument("--json", action="store_true", help="print JSON (one object per region)")
    parser.add_argument("--view", choices=["front", "back"], help="only this view")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    kb = load_or_report()
    if kb is None:
        return 1
    regions = [r for r in kb.regions.values() if args.view in (None, r.view)]
    if args.json:
        print_json([r.as_json() for r in regions])
        return 0
    print_table(
        ["id", "name", "view", "side", "snomed"],
        [[r.id, r.name, r.view, r.side, r.snomed or ""] for r in regions],
    )
    print(f"\n{len(regions)} regions. Left and right are the client's.")
    return 0
