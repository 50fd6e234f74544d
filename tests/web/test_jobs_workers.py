"""Two `myomap worker` processes over one queue, as a clinic network runs them: every job
is sent exactly once, and a job due while no worker runs is sent once by the next one to
start. On the embedded default (the queue a file in the data folder) and, when the tests
run on PostgreSQL, on a database of its own (the queue in PostgreSQL's tables)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from email import message_from_string
from pathlib import Path

import pytest
from django.db import connection

EXE = str(Path(sys.executable).parent / "myomap")
JOBS = 40

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs signals")


@pytest.fixture
def network_env(tmp_path):
    """The environment of the workers: a data folder of their own, and on PostgreSQL a
    database of their own (dropped afterwards)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MYOMAP_SECRET_KEY")}
    env["MYOMAP_DATA_DIR"] = str(tmp_path / "data")
    env["MYOMAP_SECRET_KEY"] = "workers-test-key-" + uuid.uuid4().hex
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    name = f"myomap_workers_{uuid.uuid4().hex[:8]}"
    params = connection.settings_dict
    admin = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{admin}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def myomap(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [EXE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


ASK = """
import datetime as dt
from django.db import transaction
from django.utils import timezone
from myomap.jobs import mail
now = timezone.now()
with transaction.atomic():
    for n in range({count}):
        mail.send_later(key=f"{prefix}:{{n}}", to=[f"person{{n}}@{prefix}.example"],
                        subject=f"Message {{n}}", body="Hello.", clinic_id=None, now=now,
                        at=now + dt.timedelta(seconds={delay}) if {delay} else None)
"""

STATES = """
from myomap.jobs.models import Job
for job in Job.objects.order_by("key"):
    print("job", job.key, job.status, job.attempts)
"""


@contextlib.contextmanager
def workers(env: dict[str, str], count: int):
    procs = [
        subprocess.Popen(
            [EXE, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(count)
    ]
    for proc in procs:  # each has started (and will stop cleanly when asked)
        assert proc.stdout is not None
        assert "running background jobs" in proc.stdout.readline()
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs:
            out, _ = proc.communicate(timeout=60)
            assert proc.returncode == 0, out
            assert "Myomap worker stopped." in out


def states(env: dict[str, str]) -> dict[str, tuple[str, int]]:
    rows = [line.split() for line in myomap(env, "manage", "shell", "-c", STATES).splitlines()]
    return {row[1]: (row[2], int(row[3])) for row in rows if len(row) == 4 and row[0] == "job"}


def wait_until_done(env: dict[str, str], prefix: str, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = states(env)
        mine = [state for key, (state, _) in now.items() if key.startswith(prefix)]
        if len(mine) == count and set(mine) == {"done"}:
            return
        time.sleep(0.5)
    raise AssertionError(f"not every {prefix} job done after 60 s: {states(env)}")


def sent(env: dict[str, str]) -> Counter[str]:
    """How many messages reached each address (the outbox folder of the data folder)."""
    counts: Counter[str] = Counter()
    for path in (Path(env["MYOMAP_DATA_DIR"]) / "outbox").glob("*.log"):
        for chunk in path.read_text().split("-" * 79 + "\n"):
            if chunk.strip():
                counts[str(message_from_string(chunk)["To"])] += 1
    return counts


def test_two_workers_over_one_queue_send_each_job_once_and_a_restart_loses_none(network_env):
    env = network_env
    myomap(env, "manage", "migrate", "-v0")
    myomap(env, "manage", "shell", "-c", ASK.format(count=JOBS, prefix="now", delay=0))

    with workers(env, 2) as procs:
        wait_until_done(env, "now", JOBS)
        assert all(p.poll() is None for p in procs)
    # Asked for while no worker runs, and due while none does.
    myomap(env, "manage", "shell", "-c", ASK.format(count=3, prefix="later", delay=1))
    time.sleep(1.5)
    with workers(env, 1):
        wait_until_done(env, "later", 3)

    jobs = states(env)
    assert len(jobs) == JOBS + 3
    assert {state for state in jobs.values()} == {("done", 1)}
    counts = sent(env)
    assert len(counts) == JOBS + 3
    assert set(counts.values()) == {1}, [a for a, n in counts.items() if n != 1]


LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def consumers_of(master: int) -> set[int]:
    from test_serve import is_jobs_consumer

    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
                if int(ppid) == master and state != "Z" and is_jobs_consumer(int(entry.name)):
                    found.add(int(entry.name))
    return found


@LINUX
def test_serve_with_several_web_processes_runs_one_consumer_that_sends_the_jobs(tmp_path):
    from test_serve import serve_env, server, wait_for, workers_of

    data = tmp_path / "data"
    with server(data, "--workers", "2") as (proc, _, output):
        assert "Press Ctrl+C" in output
        web = wait_for(lambda: len(workers_of(proc.pid)) == 2 and workers_of(proc.pid), "2")
        jobs = wait_for(lambda: consumers_of(proc.pid), "a consumer")
        assert len(jobs) == 1
        # No web worker started one of its own.
        assert not any(consumers_of(worker) for worker in web)
        env = serve_env(data)
        myomap(env, "manage", "shell", "-c", ASK.format(count=3, prefix="served", delay=0))
        wait_until_done(env, "served", 3)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert "Myomap stopped." in rest
        assert not any(Path(f"/proc/{pid}").exists() for pid in jobs)
    assert set(sent(env).values()) == {1}
    assert len(sent(env)) == 3


@LINUX
def test_serve_with_no_jobs_leaves_them_to_the_workers(tmp_path):
    from test_serve import server, wait_for, workers_of

    with server(tmp_path / "data", "--workers", "2", "--no-jobs") as (proc, _, _output):
        wait_for(lambda: len(workers_of(proc.pid)) == 2, "2")
        time.sleep(1)
        assert consumers_of(proc.pid) == set()


def test_a_worker_killed_mid_job_leaves_it_to_the_next_which_sends_it_once(network_env):
    import socket

    env = network_env
    myomap(env, "manage", "migrate", "-v0")
    myomap(env, "manage", "shell", "-c", ASK.format(count=1, prefix="killed", delay=0))
    # A mail server that takes the connection and never answers: the job hangs in it.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    hanging = env | {
        "MYOMAP_EMAIL_HOST": "127.0.0.1",
        "MYOMAP_EMAIL_PORT": str(server.getsockname()[1]),
        "MYOMAP_EMAIL_TLS": "false",
        "MYOMAP_JOBS_LEASE_SECONDS": "2",
    }
    first = subprocess.Popen(
        [EXE, "worker"], env=hanging, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while states(env).get("killed:0", ("", 0))[0] != "running":
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.3)
        first.kill()  # SIGKILL: no chance to tidy up
        first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        server.close()
    assert states(env)["killed:0"] == ("running", 1)
    time.sleep(2.5)  # its lease runs out
    with workers(env | {"MYOMAP_JOBS_LEASE_SECONDS": "2"}, 1):
        wait_until_done(env, "killed", 1)
    assert states(env)["killed:0"] == ("done", 2)
    assert sent(env) == Counter({"person0@killed.example": 1})
