"""`myomap explain`: which trigger points could be referring this pain?

myomap explain --region buttock-upper-left:7 --region si-joint-left:5
myomap explain --region si-joint-left --finding gluteus-medius-posterior:left=referral --json
myomap explain --batch drawings.jsonl --out results.jsonl
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from myomap.cli.output import print_json, print_table

DISCLAIMER = "Candidates to examine, not a diagnosis. How scores work: docs/reasoning.md."


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "explain",
        help="rank the trigger points that could refer a pain drawing",
        description="Rank the trigger points to examine for a pain drawing. " + DISCLAIMER,
    )
    parser.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="ID[:INTENSITY]",
        help="a painful region and its intensity 0-10 (default 5); repeat for each region",
    )
    parser.add_argument(
        "--finding",
        action="append",
        default=[],
        metavar="TARGET[:SIDE]=RESULT",
        help="an examination finding, e.g. gluteus-medius-posterior:left=tender,referral "
        "or faber:left=positive",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--top", type=int, default=10, help="how many candidates (0 = all; default 10)"
    )
    parser.add_argument(
        "--batch", metavar="IN.jsonl", help='one drawing per line: {"regions": {id: intensity}}'
    )
    parser.add_argument("--out", metavar="OUT.jsonl", help="where --batch writes its results")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="with --batch: write an error line for a bad drawing and go on, instead of stopping",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="with --batch: processes that reason in parallel (default 0 = one per usable "
        "core); the results keep the input's order",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.top < 0:
        return _fail("--top must be 0 or more")
    if args.batch:
        if args.region or args.finding:
            return _fail("--batch takes its drawings from the file, not from --region/--finding")
        if not args.out:
            return _fail("--batch needs --out FILE.jsonl")
        if args.jobs < 0:
            return _fail("--jobs must be 0 (one per usable core) or more")
        from myomap.cli.explain_batch import run_batch

        return run_batch(
            args.batch,
            args.out,
            top=args.top or None,
            skip_invalid=args.skip_invalid,
            jobs=args.jobs or None,
        )
    if args.out:
        return _fail("--out goes with --batch")
    if args.jobs:
        return _fail("--jobs goes with --batch")
    from myomap.core.referral import InputError, explain, parse_finding, scorer
    from myomap.core.referral.inputs import parse_region

    model = scorer().model
    try:
        drawing: dict[str, int] = {}
        for text in args.region:
            region, intensity = parse_region(text, model)
            drawing[region] = intensity
        findings = [parse_finding(text, model) for text in args.finding]
        result = explain(drawing, findings, top=args.top or None)
    except InputError as exc:
        return _fail(str(exc))
    if args.json:
        print_json(result.as_json())
        return 0
    _print_table(result)
    return 0


def _fail(message: str) -> int:
    print(f"myomap explain: {message}", file=sys.stderr)
    return 2


def _print_table(result: Any) -> None:
    names: dict[str, str] = result.region_names
    if result.message:
        print(result.message)
        return
    ordered = sorted(result.drawing.items(), key=lambda item: -item[1])
    drawn = ", ".join(f"{names[r]} {i}/10" for r, i in ordered if i > 0)
    print(f"Pain drawing: {drawn or '(none)'}\n")
    print("Trigger points to examine, most likely first:")
    rows = []
    for rank, c in enumerate(result.candidates, start=1):

        def short(region: str, side: str = c.side) -> str:
            # The side column already says which side: "Left upper buttock" -> "upper buttock".
            name = names[region]
            prefix = f"{side.capitalize()} "
            name = name[len(prefix) :] if name.startswith(prefix) else name
            return name[0].lower() + name[1:]

        explains = [f"{short(r)} ({kind})" for r, kind in c.zone_of]
        against = [f"no pain in {short(r)}" for r in c.free_essential]
        against += [f"{f} ({d:+.1f})" for f, d in c.findings]
        rows.append(
            [
                str(rank),
                f"{c.score:.2f}",
                c.trigger_point_name,
                c.side,
                "; ".join(explains) or "-",
                "; ".join(against) or "-",
            ]
        )
    print_table(["#", "score", "trigger point", "side", "explains", "notes"], rows)
    print("\nSmallest set of muscles that explains the whole drawing:")
    for item in result.cover:
        print(f"  {item.muscle_name} ({item.side}): {', '.join(names[r] for r in item.explains)}")
    if not result.cover:
        print("  (none)")
    if result.unexplained:
        print(
            "\nNo trigger point in the knowledge base refers pain to: "
            + ", ".join(names[r] for r in result.unexplained)
            + ". Consider other causes and, if in doubt, referral."
        )
    print(f"\n{DISCLAIMER}")
