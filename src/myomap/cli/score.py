"""`myomap score INSTRUMENT --answers A,B,... [--json]`: score one questionnaire.

Answers in item order, comma-separated; an empty value or `-` is unanswered (write
`--answers=-,1,...` when the first one is `-`). A missing required or out-of-range answer
is exit 2 with a message naming the item.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from myomap.cli.kb import load_or_report
from myomap.cli.output import print_json

if TYPE_CHECKING:
    from myomap.core.kb.instruments import Instrument
    from myomap.core.outcomes import Score


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "score",
        help="score an outcome questionnaire (nprs, rmdq, odi, psfs, startback, peg)",
        description=(
            "Score a questionnaire from its answers in item order. An empty value or '-' "
            "leaves an item unanswered; write --answers=-,1,... when the first is '-'. "
            "STarT Back: items 1-8 as 0/1, item 9 as 0-4 (not at all ... extremely)."
        ),
    )
    parser.add_argument("instrument", metavar="INSTRUMENT", help="nprs, rmdq, odi, psfs, ...")
    parser.add_argument(
        "--answers", required=True, metavar="A,B,...", help="the answers, comma-separated"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from myomap.core.outcomes import OutcomeError, parse, score

    kb = load_or_report()
    if kb is None:
        return 1
    instrument = kb.instruments.get(args.instrument.lower())
    if instrument is None:
        known = ", ".join(kb.instruments)
        print(
            f"myomap score: unknown instrument {args.instrument!r}; known: {known}",
            file=sys.stderr,
        )
        return 2
    try:
        result = score(instrument, parse(instrument, args.answers))
    except OutcomeError as exc:
        print(f"myomap score: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json(result.as_json())
    else:
        print(_words(instrument, result))
    return 0


def _words(instrument: Instrument, result: Score) -> str:
    from myomap.core.outcomes.answers import count_of

    def num(value: float) -> str:
        return f"{value:g}"

    direction = instrument.direction_words
    line = (
        f"{instrument.short} {num(result.score)} "
        f"(range {num(result.low)}-{num(result.high)}, {direction})"
    )
    if result.band is not None:
        line += f": {result.band}" + (" risk" if result.grouping == "risk" else "")
    lines = [line]
    lines += [
        f"{sub.label}: {num(sub.score)} (range {num(sub.low)}-{num(sub.high)})"
        for sub in result.subscales
    ]
    answered = f"{result.answered} of {count_of(instrument, result.items)} answered"
    if result.missing:
        numbers = [str(i.number) for i in instrument.items if i.id in result.missing]
        answered += f" (unanswered: {', '.join(numbers)})"
    lines.append(answered)
    return "\n".join(lines)
