"""Web benchmark: `make bench-web` writes bench-web-results.json.

For SQLite (a fresh temporary data folder) and PostgreSQL (a database it creates, and
drops afterwards, on MYOMAP_BENCH_PG_URL, by default postgres://postgres@127.0.0.1:5432/
postgres; skipped, saying so, when unreachable) it:
- seeds the demo clinic with 10,000 synthetic clients (`myomap demo --clients 10000`);
- starts the real server (`myomap serve`, one worker process per core) on a free port;
- signs in as the demo therapist over HTTP (the login page's CSRF token, then the session
  cookie) and makes an API token (`myomap token create demo`);
- picks real pages through the API (a client with visits, a visit with candidates and a
  signed note), and checks that each answers 200 with the content expected;
- drives each with wrk (a C load generator; benchmarks/web.lua counts non-2xx answers and
  reports percentiles) at 32 connections: a warm-up, then a measured run.

Each page's requests/s, p50/p95/p99 and non-2xx count go to the JSON file, beside its
ratio to /healthz (the floor: a trivial query through the same stack) and whether the
targets hold: p95 <= 150 ms and at least a quarter of /healthz's requests/s. The targets
are reported, not enforced (a shared machine is noisy); the exit status is non-zero only
when the server does not start or a page answers anything but 2xx (a broken page).

    python benchmarks/web.py [OUT.json] [--clients N] [--seconds S] [--databases sqlite,...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TARGET_P95_MS = 150.0
TARGET_FLOOR_RATIO = 0.25
CONNECTIONS = 32
WARMUP_SECONDS = 2
ALONE_SECONDS = 2
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
LUA = Path(__file__).with_name("web.lua")
EXE = Path(sys.executable).parent / "myomap"
# Settings that would make the demo logins refused: the benchmark serves plain HTTP locally.
UNSET = ("DATABASE_URL", "MYOMAP_SECURE_COOKIES", "MYOMAP_BEHIND_HTTPS_PROXY")


class BenchError(Exception):
    """The server did not start, or a page is broken: the run cannot be trusted."""


# ----------------------------------------------------------------------------- pure parts
def parse_wrk(output: str) -> dict[str, Any]:
    """The JSON line web.lua's `done` prints among wrk's own output."""
    for line in output.splitlines():
        if line.startswith("BENCH-JSON "):
            parsed: dict[str, Any] = json.loads(line[len("BENCH-JSON ") :])
            return parsed
    raise BenchError(f"wrk printed no BENCH-JSON line:\n{output.strip()[-2000:]}")


def page_result(path: str, run: dict[str, Any], floor_rps: float | None) -> dict[str, Any]:
    """One page's numbers from a wrk run, beside the floor's requests/s (None: this is it)."""
    seconds = run["duration_us"] / 1e6
    rps = run["requests"] / seconds if seconds else 0.0
    ratio = rps / floor_rps if floor_rps else 1.0
    lat = run["latency_us"]
    p95 = lat["p95"] / 1000
    socket_errors = sum(run["errors"].values())
    return {
        "path": path,
        "requests": run["requests"],
        "seconds": round(seconds, 2),
        "requests_per_s": round(rps, 1),
        "p50_ms": round(lat["p50"] / 1000, 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(lat["p99"] / 1000, 1),
        "max_ms": round(lat["max"] / 1000, 1),
        "kb_per_response": round(run["bytes"] / run["requests"] / 1024, 1)
        if run["requests"]
        else 0,
        "non_2xx": run["non_2xx"],
        "first_bad_status": run["first_bad_status"] or None,
        "socket_errors": socket_errors,
        "ratio_to_healthz": round(ratio, 3),
        "targets": {
            "p95_ms_at_most": TARGET_P95_MS,
            "ratio_at_least": TARGET_FLOOR_RATIO,
            "p95_met": p95 <= TARGET_P95_MS,
            "ratio_met": ratio >= TARGET_FLOOR_RATIO,
            "met": p95 <= TARGET_P95_MS and ratio >= TARGET_FLOOR_RATIO,
        },
    }


def stat_cpu_ticks(stat: str) -> tuple[int, int]:
    """(process group, user + system clock ticks) from a /proc/<pid>/stat line. The
    command's name is in parentheses and may hold spaces or parentheses itself."""
    fields = stat[stat.rindex(")") + 2 :].split()
    # after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt
    # cmajflt utime stime ...
    return int(fields[2]), int(fields[11]) + int(fields[12])


def group_cpu_seconds(pgid: int, proc: Path = Path("/proc")) -> float:
    """The CPU time (user + system) used so far by the live processes of a process group:
    the server and its workers. None of them forks per request, so the difference over a
    run is the server's CPU for that run."""
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            group, used = stat_cpu_ticks((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
        if group == pgid:
            ticks += used
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_ms_per_request(cpu_seconds: float, requests: int) -> float | None:
    """The server's CPU milliseconds for one request over a run (None: no request)."""
    return round(cpu_seconds * 1000 / requests, 2) if requests else None


def broken_pages(results: dict[str, Any]) -> list[str]:
    """ "database page: why" for every page that answered anything but 2xx."""
    out = []
    for db, entry in results["databases"].items():
        for name, page in entry.get("pages", {}).items():
            alone = page.get("one_connection", {})
            bad = page["non_2xx"] + alone.get("non_2xx", 0)
            errors = page["socket_errors"] + alone.get("socket_errors", 0)
            first = page["first_bad_status"] or alone.get("first_bad_status")
            if bad or errors:
                out.append(
                    f"{db} {name}: {bad} non-2xx"
                    + (f" (first {first})" if first else "")
                    + f", {errors} socket errors"
                )
    return out


def verdict(targets: dict[str, Any]) -> str:
    """ "met", or which targets were missed."""
    missed = [
        w for w, ok in (("p95", targets["p95_met"]), ("ratio", targets["ratio_met"])) if not ok
    ]
    return "missed: " + ", ".join(missed) if missed else "met"


def table(results: dict[str, Any]) -> str:
    """The results as a table a person reads ("alone": p50 at one connection)."""
    lines = []
    head = f"{'page':<15}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'non-2xx':>8}"
    head += f"{'/healthz':>9}{'KB':>6}{'alone ms':>9}{'cpu ms':>8}  targets"
    for db, entry in results["databases"].items():
        if "skipped" in entry:
            lines.append(f"{db}: skipped ({entry['skipped']})")
            continue
        load = entry.get("load_average_before")
        lines.append(
            f"{db}: {entry['clients']:,} clients, {entry['visits']:,} visits, "
            f"{entry['server_workers']} server workers, seeded in {entry['seed_seconds']:.0f} s"
            + (f", load average {load[0]:.1f}" if load else "")
        )
        lines.append(head)
        for name, p in entry["pages"].items():
            alone = p.get("one_connection", {}).get("p50_ms")
            cpu = p.get("server_cpu_ms_per_request")
            lines.append(
                f"{name:<15}{p['requests_per_s']:>8.1f}{p['p50_ms']:>8.1f}{p['p95_ms']:>8.1f}"
                f"{p['p99_ms']:>8.1f}{p['non_2xx']:>8}{p['ratio_to_healthz']:>9.3f}"
                f"{p.get('kb_per_response', 0):>6.1f}"
                f"{'' if alone is None else f'{alone:.1f}':>9}"
                f"{'' if cpu is None else f'{cpu:.2f}':>8}  {verdict(p['targets'])}"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_results(path: Path, results: dict[str, Any]) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- HTTP
@dataclass
class Session:
    base: str  # http://127.0.0.1:PORT
    cookie: str = ""  # the Cookie header of the signed-in demo therapist
    token: str = ""  # an API token of the same person

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        url = urllib.parse.urlsplit(self.base)
        conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
        try:
            conn.request("GET", path, headers={"Cookie": self.cookie, **(headers or {})})
            answer = conn.getresponse()
            return answer.status, answer.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def api(self, path: str) -> Any:
        status, body = self.get(path, {"Authorization": f"Bearer {self.token}"})
        if status != 200:
            raise BenchError(f"GET {path} answered {status}: {body[:300]}")
        return json.loads(body)


def _cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    out = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            out[key.strip()] = val.strip()
    return out


def sign_in(base: str, username: str, password: str) -> str:
    """The Cookie header of a session signed in through the login page, as a browser does."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        conn.request("GET", "/accounts/login/")
        page = conn.getresponse()
        body = page.read().decode()
        cookies = _cookies(page.getheaders())
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if page.status != 200 or found is None:
            raise BenchError(f"the login page answered {page.status} without a CSRF token")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": found[1]}
        )
        conn.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Referer": f"{base}/accounts/login/",
                "Origin": base,
            },
        )
        answer = conn.getresponse()
        answer.read()
        cookies |= _cookies(answer.getheaders())
        if answer.status != 302 or "sessionid" not in cookies:
            raise BenchError(f"signing in as {username} answered {answer.status}, no session")
        return "; ".join(f"{k}={v}" for k, v in cookies.items())
    finally:
        conn.close()


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    expect: str  # text the page must contain (HTML-escaped as the page shows it)
    api: bool = False  # sent with the API token instead of the session cookie


def pick_pages(session: Session) -> list[Page]:
    """Real pages of the seeded clinic, found through the API: a client in the middle of
    the list with a visit that has candidates, a plan and a signed note."""
    first = session.api("/api/clients")
    middle = session.api(f"/api/clients?page={max(1, first['pages'] // 2)}")
    for row in middle["items"]:
        client = session.api(f"/api/clients/{row['id']}")
        for summary in client["visits"]:
            visit = session.api(f"/api/visits/{summary['id']}")
            note = session.api(f"/api/visits/{summary['id']}/note")
            if visit["candidates"] and note["current"] and note["current"]["signed"]:
                intake = session.api(f"/api/intakes/{visit['intake_id']}")
                return _pages(client, visit, note["current"], intake, first["count"])
    raise BenchError("no client of the list's middle page has a visit with a signed note")


def _pages(
    client: dict[str, Any],
    visit: dict[str, Any],
    note: dict[str, Any],
    intake: dict[str, Any],
    count: int,
) -> list[Page]:
    family = client["family_name"]
    drawing = "&".join(f"r={region}:{n}" for region, n in intake["pain_drawing"].items())
    candidate = visit["candidates"][0]["trigger_point_name"]
    return [
        Page("healthz", "/healthz", '"ok"'),
        Page("client list", "/clients/", "<h1>Clients</h1>"),
        Page("client", f"/clients/{client['id']}/", html.escape(family)),
        Page(
            "client search",
            "/clients/?" + urllib.parse.urlencode({"q": family}),
            html.escape(family),
        ),
        Page("assessment", f"/visits/{visit['id']}/", html.escape(candidate)),
        Page("note", f"/visits/{visit['id']}/note/", html.escape(note["assessment"][:30])),
        Page("candidates", f"/body-map/candidates?{drawing}", '"candidates": [{'),
        Page("api clients", "/api/clients", f'"count": {count}', api=True),
    ]


def check(session: Session, page: Page) -> None:
    """The page answers 200 with what it should show, before any load is put on it."""
    headers = {"Authorization": f"Bearer {session.token}"} if page.api else {}
    status, body = session.get(page.path, headers)
    if status != 200:
        raise BenchError(f"{page.name} ({page.path}) answered {status}, not 200")
    if page.expect not in body:
        raise BenchError(f"{page.name} ({page.path}) does not show {page.expect!r}")


# ----------------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def myomap(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"myomap {' '.join(args)} failed:\n{done.stderr.strip()[-2000:]}")
    return done.stdout


# `--workers N --threads M` from the command line, to compare server shapes; else serve's own.
SERVE_SHAPE: dict[str, int] = {}


def workers_option() -> list[str]:
    """`--workers <cores>` (or as asked) when this myomap's server runs several processes,
    and `--threads M` when asked."""
    help_text = subprocess.run(
        [str(EXE), "serve", "--help"], capture_output=True, text=True, check=False
    ).stdout
    if "--workers" not in help_text:
        return []
    shape = ["--workers", str(SERVE_SHAPE.get("workers", cores()))]
    if "threads" in SERVE_SHAPE:
        shape += ["--threads", str(SERVE_SHAPE["threads"])]
    return shape


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def server(env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """`myomap serve` on a free port: its base URL once /healthz answers, and its process
    group (the server and its workers). Stopped after."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(EXE), "serve", "--port", str(port), *workers_option()],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise BenchError(f"the server exited ({proc.returncode}):\n{log.read_text()}")
            try:
                if Session(base).get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"the server did not answer in 120 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base, proc.pid
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def run_wrk(
    session: Session, page: Page, seconds: int, connections: int = CONNECTIONS
) -> dict[str, Any]:
    header = f"Authorization: Bearer {session.token}" if page.api else f"Cookie: {session.cookie}"
    command = [
        os.environ.get("WRK", "wrk"),
        f"-t{min(cores(), connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout=30s",  # a slow page is measured, not dropped as a timeout
        f"-s{LUA}",
        "-H",
        header,
        session.base + page.path,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


# ----------------------------------------------------------------------------- one database
def counts(env: dict[str, str]) -> tuple[int, int]:
    code = (
        "from myomap.clients.models import Client; from myomap.visits.models import Visit; "
        "print(Client.objects.count(), Visit.objects.count())"
    )
    clients, visits = myomap(env, "manage", "shell", "-c", code).split()[-2:]
    return int(clients), int(visits)


def bench_database(env: dict[str, str], work: Path, clients: int, seconds: int) -> dict[str, Any]:
    began = time.monotonic()
    print(f"  seeding {clients:,} clients...", flush=True)
    myomap(env, "demo", "--clients", str(clients))
    seed_seconds = time.monotonic() - began
    token = myomap(env, "token", "create", "demo", "--name", "web benchmark").strip()
    n_clients, n_visits = counts(env)
    workers = workers_option()
    entry: dict[str, Any] = {
        "clients": n_clients,
        "visits": n_visits,
        "seed_seconds": round(seed_seconds, 1),
        "server_workers": int(workers[1]) if workers else 1,
        "server_threads": int(workers[3]) if len(workers) > 3 else None,
        "connections": CONNECTIONS,
        "seconds_per_page": seconds,
        # Other work on the machine slows every page alike: the ratios stay comparable.
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "pages": {},
    }
    log = work / "server.log"
    with server(env, log) as (base, group):
        try:
            session = Session(base, sign_in(base, "demo", "myomap-demo"), token)
            _load_pages(session, entry, seconds, lambda: group_cpu_seconds(group))
        except BenchError as exc:
            raise BenchError(f"{exc}\n--- the server's log ends with ---\n{_tail(log)}") from None
    if any(page["non_2xx"] for page in entry["pages"].values()):
        entry["server_log_tail"] = _tail(log)
    entry["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return entry


def _load_pages(
    session: Session, entry: dict[str, Any], seconds: int, server_cpu: Callable[[], float]
) -> None:
    pages = pick_pages(session)
    for page in pages:
        check(session, page)
    floor = None
    for page in pages:
        run_wrk(session, page, WARMUP_SECONDS)
        before = server_cpu()
        result = page_result(page.path, run_wrk(session, page, seconds), floor)
        # What one request costs the server, whatever else the machine was doing.
        result["server_cpu_ms_per_request"] = cpu_ms_per_request(
            server_cpu() - before, result["requests"]
        )
        floor = floor or result["requests_per_s"]
        # The page alone, one request at a time: its own cost, without any queue.
        alone = page_result(page.path, run_wrk(session, page, ALONE_SECONDS, 1), None)
        result["one_connection"] = {
            k: alone[k]
            for k in (
                "requests_per_s",
                "p50_ms",
                "p95_ms",
                "non_2xx",
                "first_bad_status",
                "socket_errors",
            )
        }
        entry["pages"][page.name] = result
        print(
            f"  {page.name:<16} {result['requests_per_s']:>8.1f} req/s  "
            f"p95 {result['p95_ms']:>7.1f} ms  "
            f"server {result['server_cpu_ms_per_request'] or 0:.2f} CPU ms a request",
            flush=True,
        )


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def base_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return env | {"MYOMAP_DATA_DIR": str(data)}


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new database on the server of `admin_url`, dropped afterwards; its URL."""
    import psycopg

    name = f"myomap_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin_url)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_unreachable(admin_url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=5):
            return None
    except Exception as exc:  # any reason: the run goes on without PostgreSQL
        return f"PostgreSQL unreachable at {_without_password(admin_url)}: {exc}".strip()


def _without_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}:{parts.port or 5432}{parts.path}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", default="bench-web-results.json")
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5, help="measured seconds per page")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, help="server processes (default: one per core)")
    parser.add_argument("--threads", type=int, help="threads per server process (serve's default)")
    args = parser.parse_args(argv)
    SERVE_SHAPE.update(
        {k: v for k, v in (("workers", args.workers), ("threads", args.threads)) if v}
    )
    if shutil.which(os.environ.get("WRK", "wrk")) is None:
        print("bench-web: wrk is missing (make wrk installs it)", file=sys.stderr)
        return 2
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cores": cores(), "cpu_count": os.cpu_count()},
        "load": {"generator": "wrk", "connections": CONNECTIONS, "warmup_s": WARMUP_SECONDS},
        "databases": {},
    }
    failed = []
    pg_url = os.environ.get("MYOMAP_BENCH_PG_URL", DEFAULT_PG_URL)
    for db in args.databases.split(","):
        print(f"{db}:", flush=True)
        with tempfile.TemporaryDirectory(prefix="myomap-bench-") as tmp:
            work = Path(tmp)
            env = base_env(work / "data")
            try:
                if db == "postgresql":
                    if (why := postgres_unreachable(pg_url)) is not None:
                        print(f"  skipped: {why}")
                        results["databases"][db] = {"skipped": why}
                        continue
                    with postgres_database(pg_url) as url:
                        entry = bench_database(
                            env | {"DATABASE_URL": url}, work, args.clients, args.seconds
                        )
                else:
                    entry = bench_database(env, work, args.clients, args.seconds)
            except BenchError as exc:
                print(f"  failed: {exc}", file=sys.stderr)
                failed.append(f"{db}: {exc}")
                results["databases"][db] = {"failed": str(exc)}
                continue
            results["databases"][db] = entry
    write_results(Path(args.out), results)
    print()
    print(
        table({"databases": {k: v for k, v in results["databases"].items() if "failed" not in v}})
    )
    failed += broken_pages(results)
    for line in failed:
        print(f"bench-web: broken: {line}", file=sys.stderr)
    print(f"Wrote {args.out}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
