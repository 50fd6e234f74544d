"""The background jobs' queue in Redis (MYOMAP_REDIS_URL), as a clinic network with a Redis
runs it: two `myomap worker` processes over one queue send each job exactly once, and a
worker killed mid-job leaves the job to the next, which sends it once. The queue has a name
of its own (MYOMAP_JOBS_QUEUE), its keys deleted afterwards. Skipped only when no Redis
answers at 127.0.0.1:6379 and MYOMAP_TEST_REDIS is not "required". The helpers are
tests/web/test_jobs_workers.py's."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from test_jobs_workers import (
    ASK,
    EXE,
    JOBS,
    myomap,
    network_env,  # noqa: F401  # a fixture, used by name
    sent,
    states,
    wait_until_done,
    workers,
)

REDIS = "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


# Where a Redis must be there (CI: MYOMAP_TEST_REDIS=required), its absence fails the
# tests instead of skipping them, so they cannot stop running unnoticed.
REQUIRED = os.environ.get("MYOMAP_TEST_REDIS", "") == "required"
pytestmark = pytest.mark.skipif(
    not REQUIRED and not _redis_answers(),
    reason="no Redis answers at 127.0.0.1:6379 (MYOMAP_TEST_REDIS=required: fail instead)",
)


def test_redis_answers_where_it_is_required() -> None:
    assert _redis_answers(), f"MYOMAP_TEST_REDIS=required, but no Redis answers at {REDIS}"


@pytest.fixture
def redis_env(network_env):  # noqa: F811
    """The workers' environment with the queue in Redis, under a name of this test's own;
    its keys deleted afterwards."""
    import redis

    name = f"myomaptest{uuid.uuid4().hex[:8]}"  # Huey keeps only [a-z0-9] of a name
    yield network_env | {"MYOMAP_REDIS_URL": REDIS, "MYOMAP_JOBS_QUEUE": name}
    db = redis.Redis.from_url(REDIS)
    for key in db.scan_iter(match=f"*{name}*"):
        db.delete(key)


def queue_keys(env: dict[str, str]) -> list[bytes]:
    import redis

    return list(redis.Redis.from_url(REDIS).scan_iter(match=f"*{env['MYOMAP_JOBS_QUEUE']}*"))


def test_two_workers_over_one_redis_queue_send_each_job_once(redis_env) -> None:
    env = redis_env
    myomap(env, "manage", "migrate", "-v0")
    myomap(env, "manage", "shell", "-c", ASK.format(count=JOBS, prefix="now", delay=0))
    assert queue_keys(env), "the jobs were handed to Redis, under the test's queue name"

    with workers(env, 2) as procs:
        wait_until_done(env, "now", JOBS)
        assert all(p.poll() is None for p in procs)
    # Asked for while no worker runs, and due while none does: kept in Redis's schedule.
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
    # the queue was Redis's alone: no queue file of the embedded default was made
    assert not (Path(env["MYOMAP_DATA_DIR"]) / "jobs.sqlite3").exists()


def test_a_worker_killed_mid_job_on_redis_leaves_it_to_the_next_which_sends_it_once(
    redis_env,
) -> None:
    env = redis_env
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
    with workers(env | {"MYOMAP_JOBS_LEASE_SECONDS": "2"}, 2):
        wait_until_done(env, "killed", 1)
    assert states(env)["killed:0"] == ("done", 2)
    assert sent(env) == Counter({"person0@killed.example": 1})
