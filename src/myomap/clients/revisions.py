"""A correction in words: what changed in a client or an intake, before and after, for
the "Changes" history. Stored values are read tolerantly (an answer whose question the
knowledge base no longer has is shown under its id)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from myomap.core.kb import load_default

LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "email": "E-mail",
    "phone": "Phone",
    "complaint": "Presenting complaint",
    "history": "History",
    "medications": "Medications",
    "pain_drawing": "Pain drawing",
    "red_flag_answers": "Red flag",
    "contraindication_answers": "Contraindication",
    "factor_answers": "NMT factor question",
    "gate": "Safety gate",
    "gate_note": "Referral or override",
    "gate_by": "Gate resolved by",
    "gate_at": "Gate resolved on",
}
for _consent, _title in (
    ("treatment_consent", "Treatment consent"),
    ("data_consent", "Data consent"),
):
    LABELS |= {
        f"{_consent}_at": f"{_title}: given on",
        f"{_consent}_by": f"{_title}: recorded by",
        f"{_consent}_how": f"{_title}: how",
        f"{_consent}_note": f"{_title}: note",
    }
# Answer sets: an answer left out means "no" (a question) or "not drawn" (a region).
ANSWERS = ("pain_drawing", "red_flag_answers", "contraindication_answers", "factor_answers")


def describe(previous: dict[str, Any], changed: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(what, before, after) for each changed field, and for each changed answer of an
    answer set (one line per region or question, not the whole set)."""
    lines: list[tuple[str, str, str]] = []
    for name in list(dict.fromkeys([*previous, *changed])):
        before, after = previous.get(name), changed.get(name)
        label = LABELS.get(name, name.replace("_", " ").capitalize())
        if name in ANSWERS:
            old, new = before or {}, after or {}
            for key in sorted({*old, *new}):
                if old.get(key) != new.get(key):
                    what = f"{label}: {_answer_name(name, key)}"
                    lines.append((what, _answer(name, old.get(key)), _answer(name, new.get(key))))
        elif name == "gate":
            lines.append((label, _gate(before), _gate(after)))
        else:
            lines.append((label, _words(before), _words(after)))
    return lines


def _answer_name(kind: str, key: str) -> str:
    kb = load_default()
    found: Any = {
        "pain_drawing": kb.regions,
        "red_flag_answers": kb.red_flags,
        "contraindication_answers": kb.contraindications,
        "factor_answers": kb.intake_questions,
    }[kind].get(key)
    if found is None:
        return key
    return str(getattr(found, "name", None) or getattr(found, "text", key))


def _gate(value: Any) -> str:
    from myomap.clients.models import Intake  # the models import this module

    return str(dict(Intake.Gate.choices).get(value, _words(value)))


def _answer(kind: str, value: Any) -> str:
    if kind == "pain_drawing":
        return f"{value}/10" if value else "not drawn"
    if value is None or value is False:
        return "no"
    if value is True:
        return "yes"
    return str(value)


def _words(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) > 18 and value[4:5] == "-" and "T" in value:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return f"{timezone.localtime(moment):%d %b %Y %H:%M}"
    return str(value)
