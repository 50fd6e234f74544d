"""Two writes to one visit at the same moment, on a database that lets them overlap
(PostgreSQL; the embedded SQLite queues every writer with IMMEDIATE transactions, so the
race cannot happen there). Each writer is a thread with its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from records_fixtures import World, build_world

from myomap.audit.log import Context
from myomap.records.errors import ActionError
from myomap.visits import actions as visit_actions
from myomap.visits.models import NoteVersion, PlanStep, Visit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
    ),
]


def _at_once(*work: Callable[[], Any]) -> list[Any]:
    """Run each callable in its own thread and connection, started together."""
    start = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[i] = job()
        except Exception as exc:  # an error is a result here, asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _steps(world: World) -> list[visit_actions.StepData]:
    return [s.to_input() for s in world.visit.plan_steps.order_by("order")][:2]


def test_a_plan_saved_twice_at_once_is_stored_once() -> None:
    world = build_world()
    steps = _steps(world)
    ctx = Context(user=world.alice)
    visit = Visit.objects.get(pk=world.visit.pk)

    results = _at_once(*[lambda: visit_actions.save_plan(ctx, visit, steps)] * 4)

    assert not [r for r in results if isinstance(r, Exception)], results
    orders = list(PlanStep.objects.filter(visit=visit).values_list("order", flat=True))
    assert sorted(orders) == [1, 2]


def test_no_change_lands_after_the_signature() -> None:
    """A plan saved while the note is being signed either comes first (and then the
    signature is refused: the text no longer matches the record) or is refused as
    read-only: never after the signature."""
    world = build_world()
    ctx = Context(user=world.alice)
    visit = Visit.objects.get(pk=world.visit.pk)
    fields = {"subjective": "S", "objective": "O", "assessment": "A", "plan": "P"}
    for _ in range(5):
        version = visit_actions.save_note(ctx, visit, revision=world.revision(), **fields)
        steps = _steps(world)
        signed, saved = _at_once(
            lambda version=version: visit_actions.sign_note(ctx, visit, revision=version.revision),
            lambda steps=steps: visit_actions.save_plan(ctx, visit, steps),
        )
        version.refresh_from_db()
        if isinstance(saved, ActionError):
            # The signature came first; the plan stayed as it was signed.
            assert not isinstance(signed, ActionError) and version.is_signed
            assert "read-only" in saved.message
        else:
            # The plan change came first; a signature of the text written before it is
            # refused, so nothing is signed that does not match the record.
            assert isinstance(signed, ActionError), "signed text the record no longer matches"
            assert not version.is_signed and version.record_changed
        # Start again from an unsigned note for the next round.
        NoteVersion.objects.filter(pk=version.pk).update(signed_at=None, signed_by=None)
