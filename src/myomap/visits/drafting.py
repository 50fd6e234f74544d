"""What other apps add to a visit's SOAP draft. The visits app imports none of them (the
layers: outcomes builds on visits), so each connects a receiver to `outcome_lines`, and
the draft asks them for the visit's lines (`recorded.soap`)."""

from __future__ import annotations

from typing import cast

from django.dispatch import Signal

from myomap.visits.models import Visit

# Sent with `visit`; a receiver answers the note's lines for the outcome questionnaires
# taken at it, in words (a tuple of str).
outcome_lines = Signal()


def outcome_lines_of(visit: Visit) -> tuple[str, ...]:
    lines: list[str] = []
    for _receiver, found in outcome_lines.send(sender=Visit, visit=visit):
        lines.extend(cast("tuple[str, ...]", found))
    return tuple(lines)
