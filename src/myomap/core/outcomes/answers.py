"""Answers in, checked: one whole number (or None for unanswered) per item, in item order.

Answers come as a sequence in item order, a mapping by item id, or the command line's
text ("1,0,-,,3": an empty value or `-` is unanswered). Every value is checked against the
item's scale from the knowledge base; the error names the item and what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from myomap.core.kb.instruments import Instrument, Item
from myomap.core.outcomes.errors import OutcomeError

Answer = int | None
Given = Sequence[int | float | None] | Mapping[str, int | float | None]
UNANSWERED = ("", "-")


def item_name(instrument: Instrument, item: Item) -> str:
    """'RMDQ item 3 (Statement 3)', 'ODI section 4 (Walking)': as errors and pages name an
    item, in the instrument's own word for one (`item_word`)."""
    return f"{instrument.short} {instrument.item_word.one} {item.number} ({item.label})"


def count_of(instrument: Instrument, count: int) -> str:
    """'1 item', '8 sections': a count in the instrument's own word."""
    word = instrument.item_word
    return f"{count} {word.one if count == 1 else word.many}"


def parse(instrument: Instrument, text: str) -> tuple[Answer, ...]:
    """The command line's comma-separated answers, checked; fewer than the items leaves the
    rest unanswered."""
    parts = [part.strip() for part in text.split(",")]
    values: list[int | float | None] = []
    for index, part in enumerate(parts):
        if part in UNANSWERED:
            values.append(None)
            continue
        try:
            values.append(int(part))
        except ValueError:
            if index >= len(instrument.items):
                # past the last item: one answer too many, whatever it says (never dropped)
                given = len(parts) - next(
                    i for i, p in enumerate(reversed(parts)) if p not in UNANSWERED
                )
                raise OutcomeError(
                    f"{instrument.short} has {count_of(instrument, len(instrument.items))}, "
                    f"got {given} answers"
                ) from None
            item = instrument.items[index]
            raise OutcomeError(
                f"{item_name(instrument, item)}: {part!r} is not a whole number", item.id
            ) from None
    while len(values) > len(instrument.items) and values[-1] is None:
        values.pop()  # a trailing comma is not one answer too many
    return check(instrument, values)


def check(instrument: Instrument, answers: Given) -> tuple[Answer, ...]:
    """One checked answer per item, in item order."""
    items = instrument.items
    if isinstance(answers, Mapping):
        known = {item.id for item in items}
        unknown = [key for key in answers if key not in known]
        if unknown:
            raise OutcomeError(
                f"{instrument.short} has no {instrument.item_word.one} {unknown[0]!r}; its "
                f"{instrument.item_word.many} are "
                f"{', '.join(item.id for item in items)}",
                unknown[0],
            )
        ordered: list[int | float | None] = [answers.get(item.id) for item in items]
    else:
        if len(answers) > len(items):
            raise OutcomeError(
                f"{instrument.short} has {count_of(instrument, len(items))}, "
                f"got {len(answers)} answers"
            )
        ordered = [*answers, *([None] * (len(items) - len(answers)))]
    return tuple(_one(instrument, item, value) for item, value in zip(items, ordered, strict=True))


def _one(instrument: Instrument, item: Item, value: int | float | None) -> Answer:
    if value is None:
        return None
    name = item_name(instrument, item)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OutcomeError(f"{name}: {value!r} is not a number", item.id)
    if isinstance(value, float):
        if not value.is_integer():
            raise OutcomeError(f"{name}: {value:g} is not a whole number", item.id)
        value = int(value)
    scale = instrument.scale_of(item)
    if value not in scale.values():
        raise OutcomeError(f"{name}: {value} is out of range; expected {scale.describe()}", item.id)
    return value
