"""The embedded database survives the server's sudden death: the real `myomap serve` on a
fresh SQLite data folder takes a burst of API writes (200 new clients from 4 threads), is
killed with SIGKILL part-way through, and is started again. Every write it acknowledged
(201 with an id) is there with its audit event, `PRAGMA integrity_check` says "ok", and
the writes whose answer was lost, sent again with the same `Idempotency-Key`, end with
exactly one client each.

What it guards is SQLite's WAL on the data folder, so it is skipped on PostgreSQL."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="guards the embedded SQLite database; PostgreSQL has its own crash recovery",
)

EXE = str(Path(sys.executable).parent / "myomap")
WRITES = 200
THREADS = 4
KILL_AFTER = 60  # acknowledged writes before the kill


def env_for(data: Path) -> dict[str, str]:
    """This process's environment on the data folder `data`, without any deployment
    setting (a database URL, a secret key, proxy or cookie settings) the caller may have."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and (not k.startswith("MYOMAP_") or k == "MYOMAP_CACHE_DIR")
    }
    return env | {"MYOMAP_DATA_DIR": str(data)}


def myomap(data: Path, *args: str) -> str:
    done = subprocess.run(
        [EXE, *args], env=env_for(data), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(data: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    """`myomap serve` on `data`, once it says it is running; stopped (if still alive) after."""
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port)],
        env=env_for(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group: the kill takes every process at once
    )
    assert proc.stdout is not None
    output = []
    for line in proc.stdout:
        output.append(line)
        if "Press Ctrl+C" in line:
            break
    else:
        proc.wait(timeout=10)
        pytest.fail("myomap serve did not start:\n" + "".join(output))
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


class Api:
    def __init__(self, port: int, key: str) -> None:
        self.base = f"http://127.0.0.1:{port}/api"
        self.auth = {"Authorization": f"Bearer {key}"}

    def call(
        self, path: str, body: dict[str, Any] | None = None, **headers: str
    ) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            headers=self.auth | headers | {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())

    def new_client(self, n: int) -> tuple[int, Any]:
        """POST client number `n` (its family name says which, its key too)."""
        body = {"given_name": "Kill", "family_name": f"Test{n:03d}", "date_of_birth": "1980-01-01"}
        return self.call("/clients", body, **{"Idempotency-Key": f"kill-{n}"})

    def clients(self) -> dict[int, str]:
        """Every client the API lists: id -> family name."""
        listed: dict[int, str] = {}
        page, pages = 1, 1
        while page <= pages:
            _, shown = self.call(f"/clients?page={page}")
            listed |= {c["id"]: c["family_name"] for c in shown["items"]}
            page, pages = page + 1, shown["pages"]
        return listed


def burst(api: Api, proc: subprocess.Popen[str]) -> tuple[dict[int, int], set[int]]:
    """Send the writes from THREADS threads; kill the server with SIGKILL once KILL_AFTER are
    acknowledged. Returns the acknowledged writes (n -> client id) and the lost ones."""
    acknowledged: dict[int, int] = {}
    lost: set[int] = set()
    lock = threading.Lock()
    enough = threading.Event()

    def write(n: int) -> None:
        try:
            status, client = api.new_client(n)
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"write {n}: {exc.code} {exc.read()[:300]!r}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError):
            # No answer: the server died before, during or after the write.
            with lock:
                lost.add(n)
            return
        assert status == 201, client
        with lock:
            acknowledged[n] = client["id"]
            if len(acknowledged) >= KILL_AFTER:
                enough.set()

    with ThreadPoolExecutor(THREADS) as pool:
        results = [pool.submit(write, n) for n in range(WRITES)]
        assert enough.wait(timeout=30), "the server acknowledged too few writes"
        # A power cut, as the database sees it: serve, its web processes and its jobs
        # consumer all killed at once, none closing its connection.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        for result in results:
            result.result()
    return acknowledged, lost


def test_every_acknowledged_write_survives_a_kill_and_the_database_stays_intact(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    data = tmp_path / "data"
    myomap(data, "admin", "create", "carol", "--clinic", "Lakeside")
    key = myomap(data, "token", "create", "carol", "--name", "kill test").strip()
    port = free_port()
    with server(data, port) as proc:
        acknowledged, lost = burst(Api(port, key), proc)
        assert proc.returncode == -signal.SIGKILL
    # Killed mid-way: some writes were answered, later ones found no server.
    assert KILL_AFTER <= len(acknowledged) < WRITES
    assert len(acknowledged) + len(lost) == WRITES
    database = data / "myomap.sqlite3"
    # The server never closed the database: its last writes are still in the WAL, which
    # the restarted server finds.
    assert (data / "myomap.sqlite3-wal").stat().st_size > 0

    with server(data, port):
        with contextlib.closing(sqlite3.connect(database)) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            stored = dict(db.execute("SELECT id, family_name FROM clients_client").fetchall())
            audited = {
                int(object_id)
                for (object_id,) in db.execute(
                    "SELECT object_id FROM audit_auditevent "
                    "WHERE action = 'create' AND object_type = 'Client'"
                )
            }
        for n, client_id in acknowledged.items():
            assert stored.get(client_id) == f"Test{n:03d}", f"acknowledged write {n} is missing"
        # Each write is all or nothing: no client without its audit event, nor the reverse.
        assert audited == set(stored)

        api = Api(port, key)
        listed = api.clients()
        assert {acknowledged[n]: f"Test{n:03d}" for n in acknowledged}.items() <= listed.items()
        # The writes whose answer was lost, sent again with their key: one client each,
        # whether the first attempt had reached the database or not.
        for n in sorted(lost):
            status, client = api.new_client(n)
            assert status == 201 and client["family_name"] == f"Test{n:03d}"
        # An acknowledged one sent again is the same client, not a second one.
        n, client_id = next(iter(acknowledged.items()))
        assert api.new_client(n)[1]["id"] == client_id
        listed = api.clients()
        assert sorted(listed.values()) == [f"Test{n:03d}" for n in range(WRITES)]

    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert time.monotonic() - started < 45
