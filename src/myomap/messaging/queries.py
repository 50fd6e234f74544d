"""Reads of messaging for its pages: the clinic's messages and whose wording each has."""

from __future__ import annotations

from dataclasses import dataclass

from myomap.messaging.models import Wording
from myomap.messaging.wording import MESSAGES


@dataclass(frozen=True)
class MessageRow:
    name: str
    label: str
    subject: str  # the subject's template: the clinic's own, else the default
    own: bool


def messages_of(clinic_id: int) -> list[MessageRow]:
    """Every message, with the clinic's wording where it has one: one query."""
    own = dict(Wording.objects.filter(clinic_id=clinic_id).values_list("message", "subject"))
    return [
        MessageRow(name, found.label, own.get(name, found.subject), name in own)
        for name, found in MESSAGES.items()
    ]
