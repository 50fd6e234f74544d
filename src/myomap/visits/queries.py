"""Reads of visits and their notes, shared by the web pages, the API and the command line.
Visibility is decided here and in the models' querysets (`Visit.objects.visible_to`,
`NoteVersion.objects.readable_by`), never in a view or a template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from myomap.clients import queries as client_queries
from myomap.clients.screening import screen_intake
from myomap.core import planning as core_planning
from myomap.core.kb import load_default
from myomap.records.access import visible_or_404
from myomap.records.prepared import Prepared, Staff, staff_clinic
from myomap.visits.models import (
    MovementFinding,
    Note,
    NoteVersion,
    PalpationFinding,
    Visit,
    reads_drafts,
)

# The record pages' reads, compiled once (records.prepared): (visit, clinic) -> ...
_VISIT = Prepared(
    lambda pk, clinic: (
        Visit.objects.visible_to(Staff(clinic))
        .select_related("client", "intake", "therapist")
        .filter(pk=pk)
    ),
    2,
)
_VERSIONS = Prepared(
    lambda visit, clinic: (
        NoteVersion.objects.readable_by(Staff(clinic))
        .filter(note__visit=visit)
        .select_related("author", "signed_by")
        .order_by("number")
    ),
    2,
)
_LATEST = Prepared(
    lambda visit: NoteVersion.objects.filter(note__visit=visit).order_by("-number")[:1], 1
)


_FINDINGS: dict[str, Prepared[Any]] = {
    "palpations": Prepared(lambda visit: PalpationFinding.objects.filter(visit=visit), 1),
    "movements": Prepared(lambda visit: MovementFinding.objects.filter(visit=visit), 1),
}


def load_findings(visit: Visit) -> None:
    """Read the visit's palpation and movement findings once, as Django's prefetch keeps
    them: `visit.palpations.all()` and `visit.movements.all()` then ask nothing more."""
    cache = visit.__dict__.setdefault("_prefetched_objects_cache", {})
    for relation, prepared in _FINDINGS.items():
        rows = prepared.rows(visit.pk)
        for row in rows:
            row.visit = visit
        shown = getattr(visit, relation).all()
        shown._result_cache, shown._prefetch_done = rows, True
        cache[relation] = shown


def visit_for(user: Any, pk: int) -> Visit:
    """The visit if this user may see it, else 404 (the same as for no such visit)."""
    clinic = staff_clinic(user)
    if clinic is not None:
        found = _VISIT.rows(pk, clinic)
        if found:
            return found[0]
    visible = Visit.objects.visible_to(user).select_related("client", "intake", "therapist")
    return visible_or_404(visible, pk, lambda v: v.client)  # type: ignore[no-any-return]


def latest_version(visit: Visit) -> NoteVersion | None:
    """The newest version of the visit's note, signed or not (for the staff's own checks)."""
    found = _LATEST.rows(visit.pk)
    return found[0] if found else None


def versions_for(user: Any, visit: Visit) -> list[NoteVersion]:
    """The versions of the visit's note this user may read, oldest first."""
    clinic = staff_clinic(user)
    if clinic is not None:
        return _VERSIONS.rows(visit.pk, clinic)
    return list(
        NoteVersion.objects.readable_by(user)
        .filter(note__visit=visit)
        .select_related("author", "signed_by")
        .order_by("number")
    )


def may_edit(user: Any, version: NoteVersion) -> bool:
    """The version is an unsigned draft and this user may edit it (staff of the clinic:
    the caller already looked the visit up through `visit_for`)."""
    return not version.is_signed and bool(getattr(user, "is_staff_member", False))


def is_signed(visit: Visit) -> bool:
    """The visit's note is signed and no amendment is open: the record is read-only."""
    version = latest_version(visit)
    return version is not None and version.is_signed


@dataclass(frozen=True)
class RecordState:
    signed: bool  # the note is signed and no amendment is open: the record is read-only
    empty: bool  # nothing recorded yet: the visit may be deleted (a mistaken start)


def record_state(visit: Visit, versions: Sequence[NoteVersion] | None = None) -> RecordState:
    """`is_signed` and `is_empty` together: a visit with a note is not empty, so that is
    asked only of a visit without one. `versions`: every version of the note, oldest
    first, when the caller already has them (staff read them all: `versions_for`)."""
    if versions is not None:
        return _state(versions[-1] if versions else None, visit)
    return _state(latest_version(visit), visit)


def _state(version: NoteVersion | None, visit: Visit) -> RecordState:
    if version is not None:
        return RecordState(signed=version.is_signed, empty=False)
    return RecordState(signed=False, empty=is_empty(visit))


def note_page(user: Any, visit: Visit) -> tuple[list[NoteVersion], RecordState]:
    """The versions of the note this user may read, and the record's state: from those
    versions when they are all of them (staff), else asked on its own."""
    versions = versions_for(user, visit)
    return versions, record_state(visit, versions if reads_drafts(user) else None)


def has_note(visit: Visit) -> bool:
    return Note.objects.filter(visit=visit).exists()


def has_findings(visit: Visit) -> bool:
    """Palpation or movement findings are recorded on the visit."""
    return visit.palpations.exists() or visit.movements.exists()


def is_empty(visit: Visit) -> bool:
    """Nothing recorded yet: no findings, no plan, no note. Only such a visit may be
    deleted (a mistaken start)."""
    return not (
        visit.palpations.exists()
        or visit.movements.exists()
        or visit.plan_steps.exists()
        or has_note(visit)
    )


@dataclass(frozen=True)
class PlanEditor:
    """What the plan editor needs to offer only what the screening allows."""

    techniques: list[tuple[str, str]]  # (id, name) of every technique
    ruled_out: dict[str, frozenset[str]]  # trigger point -> techniques ruled out there
    light_only: bool
    waiting: str | None  # why planning cannot go on yet, in words (None: it can)


def plan_editor(visit: Visit, points: Sequence[str]) -> PlanEditor:
    kb = load_default()
    screening = screen_intake(visit.intake)
    ruled_out = {}
    for point in dict.fromkeys(points):
        if point in kb.trigger_points:
            status = core_planning.status_at(kb, screening, point)[0]
            ruled_out[point] = frozenset(t for t, s in status.items() if not s.allowed)
    return PlanEditor(
        techniques=[(t.id, t.name) for t in kb.techniques.values()],
        ruled_out=ruled_out,
        light_only=bool(screening.no_deep_pressure),
        waiting=planning_waits(visit),
    )


def planning_waits(visit: Visit) -> str | None:
    """Why treatment planning cannot go on for this visit yet, in words, or None. The one
    answer the web page, the API and the actions share (`clients.queries.gate`)."""
    answer = client_queries.gate(visit.intake)
    return None if answer.allows_planning else answer.reason
