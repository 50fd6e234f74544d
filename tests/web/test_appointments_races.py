"""Bookings of one therapist's time at the same moment, each in its own database
connection: exactly one is stored, the others are refused naming the conflict, and this
holds with the application's own check taken away (the database's unique (therapist,
unit) constraint decides). On PostgreSQL each writer is a thread of this process; on the
embedded SQLite (whose test database lives in memory, one process's) each is a process of
its own on a database file, as under `myomap serve --workers N`."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from myomap.accounts.models import Clinic
from myomap.appointments import actions
from myomap.appointments.models import Appointment, Occupied
from myomap.audit.log import Context
from myomap.clients import actions as client_actions
from myomap.records.errors import Invalid
from personas import DAN_BORN, DAN_FAMILY_NAME, people

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite: the processes' test below"
)
pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
TEN = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
WRITERS = 6


def _at_once(*work: Callable[[], Any]) -> list[Any]:
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


def _world() -> tuple[Context, Any]:
    folk = people()
    Clinic.objects.filter(pk=folk.lakeside.pk).update(time_zone="Europe/London")
    ctx = Context(user=folk.alice, now=NOW)
    actions.set_weekly_hours(ctx, folk.alice, [(0, dt.time(9), dt.time(17))])
    dan = client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan", DAN_FAMILY_NAME, DAN_BORN, treatment_consent=True, data_consent=True
        ),
    )
    return ctx, dan


def _bookings(ctx: Context, dan: Any) -> list[Callable[[], Any]]:
    # Overlapping, not equal: 10:00-11:00, 10:30-11:30, 10:55-11:25, ...
    starts = [TEN + dt.timedelta(minutes=m) for m in (0, 30, 55, 5, 20, 45)][:WRITERS]
    return [
        lambda s=s: actions.book(ctx, client=dan, therapist=ctx.user, starts_at=s, minutes=60)
        for s in starts
    ]


def _one_stored(results: list[Any]) -> None:
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, Invalid)]
    assert len(booked) == 1, results
    assert len(refused) == WRITERS - 1, results
    stored = Appointment.objects.get()
    assert stored.pk == booked[0].pk
    assert Occupied.objects.filter(appointment=stored).count() == 12
    assert Occupied.objects.count() == 12


@ON_POSTGRESQL
def test_overlapping_bookings_at_once_store_one_and_name_it_to_the_others() -> None:
    ctx, dan = _world()
    results = _at_once(*_bookings(ctx, dan))
    _one_stored(results)
    refused = [r for r in results if isinstance(r, Invalid)]
    winner = Appointment.objects.get().starts_at.strftime("%H:%M")
    assert all(f"already has an appointment Mon 2 Mar 2026 {winner}" in r.message for r in refused)


@ON_POSTGRESQL
def test_the_database_alone_refuses_the_double_booking(monkeypatch) -> None:
    ctx, dan = _world()
    # Without the application's look before the write, only the constraint is left.
    monkeypatch.setattr(actions, "_refuse_if_taken", lambda *args: None)
    results = _at_once(*_bookings(ctx, dan))
    _one_stored(results)
    refused = [r for r in results if isinstance(r, Invalid)]
    assert {r.message for r in refused} == {"Alice Moss is already booked then"}


# The embedded SQLite: separate processes on one database file.
SETUP = """
import datetime as dt
from myomap.accounts.models import Clinic, User
from myomap.appointments import actions
from myomap.audit.log import Context
from myomap.clients import actions as client_actions
clinic = Clinic.objects.create(name="Lakeside", time_zone="Europe/London")
alice = User.objects.create(username="alice", first_name="Alice", last_name="Moss",
                            role="therapist", clinic=clinic)
now = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
ctx = Context(user=alice, now=now)
actions.set_weekly_hours(ctx, alice, [(0, dt.time(9), dt.time(17))])
client_actions.create_client(ctx, client_actions.ClientData(
    "Dan", "Marlowe", dt.date(1980, 5, 17), treatment_consent=True, data_consent=True))
"""

BOOK = """
import datetime as dt, time
from myomap.accounts.models import User
from myomap.appointments import actions
from myomap.audit.log import Context
from myomap.clients.models import Client
from myomap.records.errors import Invalid
if {unchecked}:
    actions._refuse_if_taken = lambda *args: None
alice = User.objects.get(username="alice")
dan = Client.objects.get()
ctx = Context(user=alice, now=dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC) + dt.timedelta(minutes={offset})
time.sleep(max(0, {go} - time.time()))
try:
    actions.book(ctx, client=dan, therapist=alice, starts_at=start, minutes=60)
    print("BOOKED")
except Invalid as exc:
    print("REFUSED", exc.message)
"""


@pytest.mark.parametrize("unchecked", [False, True], ids=["checked", "database-only"])
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: the threads' tests")
def test_bookings_from_separate_processes_on_the_embedded_database_store_one(
    tmp_path, unchecked
) -> None:
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    exe = str(Path(sys.executable).parent / "myomap")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MYOMAP_DATA_DIR"] = str(tmp_path / "data")

    def shell(code: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [exe, "manage", "shell", "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    subprocess.run([exe, "manage", "migrate", "-v0"], env=env, check=True)
    setup = shell(SETUP)
    assert setup.wait(timeout=60) == 0, setup.communicate()
    go = time.time() + 6  # every process started and waiting by then
    procs = [
        shell(BOOK.format(unchecked=unchecked, offset=offset, go=go))
        for offset in (0, 30, 55, 5, 20, 45)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    lines = [
        line for out, _ in outputs for line in out.splitlines() if line[:6] in ("BOOKED", "REFUSE")
    ]
    assert sorted(line.split()[0] for line in lines) == ["BOOKED"] + ["REFUSED"] * 5, lines
    count = shell(
        "from myomap.appointments.models import Appointment, Occupied; "
        "print('ROWS', Appointment.objects.count(), Occupied.objects.count())"
    )
    assert "ROWS 1 12" in count.communicate(timeout=60)[0]
