"""What every page of a visit shows around its own content (the visit's tabs: assessment,
plan, note, the session runner and the pad link page)."""

from __future__ import annotations

from typing import Any

from myomap.clients.screening import screen_intake
from myomap.visits import queries
from myomap.visits.models import Visit


def tab_context(visit: Visit, state: queries.RecordState | None = None) -> dict[str, Any]:
    """The client, the safety screening first, and whether the record is read-only
    (signed) or may be deleted (empty); `state` when the page has read it already."""
    state = state or queries.record_state(visit)
    return {
        "visit": visit,
        "client": visit.client,
        "screening": screen_intake(visit.intake),
        "signed": state.signed,
        "empty": state.empty,
    }
