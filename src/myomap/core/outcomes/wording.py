"""A questionnaire's own wording, loaded by a clinic that holds a licence for it.

Myomap ships no copyrighted questionnaire text (the ODI's statements, STarT Back's items):
an instrument's entry carries item numbers and neutral labels only. A clinic with a licence
may load the wording as a file; the entry form then shows each item's text and, for each
answer, the statement the client chose. The file is checked against the instrument it is
for, item by item, before anything is kept:

    instrument: odi
    licence: "Mapi Research Trust licence 12345, 2026"   # the clinic's own reference
    items:
      section-1:
        text: "Pain intensity"
        answers: ["...", "...", "...", "...", "...", "..."]   # one per score, lowest first

`answers` may be left out for an item whose answers are numbers the form already lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from myomap.core.kb.instruments import Instrument, Item
from myomap.core.outcomes.errors import OutcomeError

MAX_TEXT = 600  # characters of one item's text or one answer's statement
MAX_LICENCE = 300


@dataclass(frozen=True)
class ItemWording:
    text: str
    answers: tuple[str, ...]  # the statement of each answer, lowest score first; () if none


@dataclass(frozen=True)
class Wording:
    """The clinic's licensed wording of one instrument, checked against it."""

    instrument: str
    licence: str
    items: Mapping[str, ItemWording]


def answer_values(instrument: Instrument, item: Item) -> list[int]:
    """The scores an item's answers take, lowest first: its options', else low..high."""
    scale = instrument.scale_of(item)
    if scale.options:
        return sorted(o.value for o in scale.options)
    if scale.low is None or scale.high is None:
        return []
    return list(range(scale.low, scale.high + 1))


def parse_wording(instrument: Instrument, document: Any) -> Wording:
    """`document` (a file's parsed YAML or JSON) as the wording of `instrument`; an
    OutcomeError naming the item (or the field) that is wrong otherwise."""
    if not isinstance(document, Mapping):
        raise OutcomeError("the file must hold instrument, licence and items", "file")
    named = document.get("instrument")
    if named != instrument.id:
        raise OutcomeError(
            f"the file is for {named!r}, not {instrument.id!r} ({instrument.short})",
            "instrument",
        )
    licence = document.get("licence")
    if not isinstance(licence, str) or not licence.strip():
        raise OutcomeError(
            "say under which licence the clinic uses this wording (licence: ...)", "licence"
        )
    if len(licence) > MAX_LICENCE:
        raise OutcomeError(f"the licence is longer than {MAX_LICENCE} characters", "licence")
    given = document.get("items")
    if not isinstance(given, Mapping):
        raise OutcomeError("items must map each item's id to its text", "items")
    known = {item.id: item for item in instrument.items}
    unknown = sorted(str(k) for k in given if k not in known)
    if unknown:
        word = instrument.item_word
        raise OutcomeError(
            f"{instrument.short} has no {word.one} {unknown[0]!r} (its {word.many}: "
            f"{', '.join(known)})",
            unknown[0],
        )
    items = {}
    for item in instrument.items:
        if item.id not in given:
            raise OutcomeError(f"{_where(instrument, item)} has no wording", item.id)
        items[item.id] = _item(instrument, item, given[item.id])
    return Wording(instrument.id, licence.strip(), items)


def _item(instrument: Instrument, item: Item, entry: Any) -> ItemWording:
    where = _where(instrument, item)
    if not isinstance(entry, Mapping):
        raise OutcomeError(f"{where} must have a text (and its answers)", item.id)
    text = _text(entry.get("text"), f"{where}'s text", item.id)
    answers = entry.get("answers")
    if answers is None:
        return ItemWording(text, ())
    if not isinstance(answers, list):
        raise OutcomeError(f"{where}'s answers must be a list, lowest score first", item.id)
    expected = len(answer_values(instrument, item))
    if len(answers) != expected:
        raise OutcomeError(
            f"{where} takes {expected} answers (scores {_span(instrument, item)}), "
            f"the file gives {len(answers)}",
            item.id,
        )
    return ItemWording(
        text,
        tuple(_text(a, f"{where}'s answer {i + 1}", item.id) for i, a in enumerate(answers)),
    )


def _where(instrument: Instrument, item: Item) -> str:
    """'section 2 (section-2)': the item in the questionnaire's own word, and its id, the
    file's key for it."""
    return f"{instrument.item_word.one} {item.number} ({item.id})"


def _text(value: Any, what: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OutcomeError(f"{what} is empty", field)
    if len(value) > MAX_TEXT:
        raise OutcomeError(f"{what} is longer than {MAX_TEXT} characters", field)
    return " ".join(value.split())


def _span(instrument: Instrument, item: Item) -> str:
    values = answer_values(instrument, item)
    return f"{values[0]} to {values[-1]}" if values else "none"


def as_document(wording: Wording) -> dict[str, Any]:
    """The wording as it is stored (and as `parse_wording` reads it back)."""
    return {
        "instrument": wording.instrument,
        "licence": wording.licence,
        "items": {
            item_id: {"text": w.text, **({"answers": list(w.answers)} if w.answers else {})}
            for item_id, w in wording.items.items()
        },
    }
