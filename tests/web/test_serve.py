"""`myomap serve`, the main job, as a new user runs it: `--demo` (what `make run` passes)
on a fresh data folder creates the embedded SQLite database in WAL mode with private files
and prints demo logins that work; later starts neither print demo passwords nor bring back
demo accounts an admin deleted. Without `--demo` nothing is created with a known password:
the first admin comes from `myomap admin create`, whose one-time link sets the password.
With secure settings on, demo accounts stop the server until `myomap demo --remove`."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MYOMAP_SECRET_KEY")}
    env["MYOMAP_DATA_DIR"] = str(data)
    return env


@contextlib.contextmanager
def server(data: Path, *args: str):
    """`myomap serve` on the data folder `data`: yields the process, its port and what it
    printed up to "Press Ctrl+C"; stopped (SIGTERM) at the end if still running."""
    port = free_port()
    exe = Path(sys.executable).parent / "myomap"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), *args],
        env=serve_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Press Ctrl+C" in line:
            break
    try:
        yield proc, port, "".join(lines)
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.communicate(timeout=30)


@contextlib.contextmanager
def serving(data: Path, *args: str):
    """`myomap serve` on the data folder `data`: yields its port and what it printed."""
    with server(data, *args) as (_, port, output):
        yield port, output


EXE = str(Path(sys.executable).parent / "myomap")


def myomap(data: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """A `myomap` command (not the server) on the data folder `data`."""
    return subprocess.run(
        [EXE, *args], env=serve_env(data) | extra_env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One demo server for the tests that only look at it (each start costs seconds)."""
    data = tmp_path_factory.mktemp("served") / "data"
    with serving(data, "--demo") as (port, output):
        yield port, output, data


def test_serve_with_demo_prints_the_url_and_the_demo_login(served):
    port, output, _ = served
    assert f"Myomap is running at http://localhost:{port}/" in output
    assert "Demo therapist login: demo / myomap-demo" in output
    assert "Demo clinic admin login: demo-admin / myomap-admin" in output
    assert "No administrator yet" not in output


def test_serve_creates_the_embedded_database_in_wal_mode_with_private_files(served):
    _, _, data = served
    with sqlite3.connect(data / "myomap.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        users = conn.execute("SELECT username FROM accounts_user ORDER BY username").fetchall()
        assert users == [("demo",), ("demo-admin",)]
        assert conn.execute("SELECT COUNT(*) FROM clients_client").fetchone()[0] == 3
        gates = conn.execute("SELECT gate FROM clients_intake ORDER BY id").fetchall()
        assert ("blocked",) in gates
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("secret_key", "myomap.sqlite3", "myomap.sqlite3-wal", "myomap.sqlite3-shm"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


def test_the_health_check_of_the_running_server_answers_ok(served):
    port, _, _ = served
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok", "database": "ok", "knowledge": "ok"}


def sign_in(base: str, username: str, password: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Sign in through the login form; return the browser and the URL it ended at."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
    )
    return opener, opener.open(request).geturl()


def test_the_printed_demo_login_opens_the_demo_clinic(served):
    port, output, _ = served
    username, password = re.search(r"login: (\S+) / (\S+)", output).groups()
    base = f"http://127.0.0.1:{port}"
    opener, landed = sign_in(base, username, password)
    assert landed == f"{base}/clients/"
    assert "Lopez, Maria" in opener.open(f"{base}/clients/").read().decode()
    html = opener.open(f"{base}/body-map/").read().decode()
    assert "Pain drawing" in html and 'data-region="sacrum"' in html
    css = opener.open(f"{base}/static/myomap/css/app.css")
    assert css.status == 200


def usernames(data: Path) -> list[str]:
    with sqlite3.connect(data / "myomap.sqlite3") as conn:
        rows = conn.execute("SELECT username FROM accounts_user ORDER BY username").fetchall()
    return [name for (name,) in rows]


def test_a_later_start_prints_no_password_and_never_brings_back_deleted_demo_users(tmp_path):
    data = tmp_path / "data"
    with serving(data, "--demo") as (_, first):
        assert "demo / myomap-demo" in first
    # An admin removes the demo clinic admin.
    shell = myomap(
        data,
        "manage",
        "shell",
        "-c",
        "from myomap.accounts.models import User; "
        "User.objects.filter(username='demo-admin').delete()",
    )
    assert shell.returncode == 0, shell.stderr
    assert usernames(data) == ["demo"]

    # `make run` passes --demo every time: a database in use gets nothing back.
    with serving(data, "--demo") as (port, later):
        assert f"Myomap is running at http://localhost:{port}/" in later
        assert "myomap-demo" not in later and "myomap-admin" not in later
        assert "login:" not in later
    assert usernames(data) == ["demo"]
    with sqlite3.connect(data / "myomap.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM clients_client").fetchone()[0] == 3

    # Asked for explicitly, the missing demo login comes back; only its password is shown.
    asked = myomap(data, "demo")
    assert asked.returncode == 0, asked.stderr
    assert "Demo clinic admin login: demo-admin / myomap-admin" in asked.stdout
    assert "myomap-demo" not in asked.stdout
    assert usernames(data) == ["demo", "demo-admin"]


def test_secure_settings_refuse_demo_accounts_until_they_are_removed(tmp_path):
    data = tmp_path / "data"
    assert myomap(data, "demo").returncode == 0
    secure = {"MYOMAP_SECURE_COOKIES": "true"}

    refused = myomap(data, "serve", "--port", str(free_port()), **secure)
    assert refused.returncode == 2
    assert "demo accounts with public passwords exist (demo, demo-admin)" in refused.stderr
    assert "myomap demo --remove" in refused.stderr
    assert "Myomap is running" not in refused.stdout
    asked = myomap(data, "serve", "--demo", **{"MYOMAP_BEHIND_HTTPS_PROXY": "1"})
    assert asked.returncode == 2
    assert "--demo creates logins with public passwords" in asked.stderr

    removed = myomap(data, "demo", "--remove", **secure)
    assert removed.returncode == 0, removed.stderr
    assert "demo, demo-admin" in removed.stdout
    assert usernames(data) == []
    with sqlite3.connect(data / "myomap.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM clients_client").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM accounts_clinic").fetchone()[0] == 0


def test_a_first_real_start_creates_no_login_and_the_admins_one_time_link_sets_the_password(
    tmp_path,
):
    data = tmp_path / "data"
    with serving(data) as (port, output):
        assert "Press Ctrl+C" in output and "login:" not in output
        assert "No administrator yet: run `myomap admin create USERNAME --clinic NAME`" in output
        assert usernames(data) == []

        base = f"http://127.0.0.1:{port}"
        created = myomap(data, "admin", "create", "carol", "--clinic", "Lakeside", "--url", base)
        assert created.returncode == 0, created.stderr
        assert "clinic admin of the new clinic Lakeside" in created.stderr
        link = created.stdout.strip()
        assert link.startswith(f"{base}/accounts/reset/")
        with sqlite3.connect(data / "myomap.sqlite3") as conn:
            row = conn.execute(
                "SELECT u.role, c.name, u.password FROM accounts_user u "
                "JOIN accounts_clinic c ON c.id = u.clinic_id WHERE u.username = 'carol'"
            ).fetchone()
        assert row[:2] == ("admin", "Lakeside") and row[2].startswith("!")  # unusable

        new_password = "lakeside-tide-2026-north"
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = browser.open(link)
        form_url, html = page.geturl(), page.read().decode()
        assert "Set your password" in html and "carol" in html
        assert "/accounts/reset/" in form_url and form_url != link  # the token left the URL
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode(
            {
                "new_password1": new_password,
                "new_password2": new_password,
                "csrfmiddlewaretoken": token,
            }
        ).encode()
        done = browser.open(
            urllib.request.Request(form_url, data=body, headers={"Referer": form_url})
        )
        assert done.geturl() == f"{base}/accounts/reset/done/"
        assert "Your password is set" in done.read().decode()

        _, landed = sign_in(base, "carol", new_password)
        assert landed == f"{base}/clients/"
        again = urllib.request.urlopen(link).read().decode()
        assert "This link no longer works" in again and "new_password1" not in again


@pytest.mark.django_db
def test_the_demo_data_is_created_only_in_an_empty_database():
    from myomap.accounts.models import User
    from myomap.clients.models import Client
    from myomap.web.demo import DEMO_ADMIN, DEMO_THERAPIST, create_demo_data_on_first_run

    assert create_demo_data_on_first_run() == [DEMO_THERAPIST, DEMO_ADMIN]
    assert Client.objects.count() == 3
    User.objects.filter(username="demo-admin").delete()
    assert create_demo_data_on_first_run() == []
    assert not User.objects.filter(username="demo-admin").exists()
    assert Client.objects.count() == 3


@pytest.mark.django_db
def test_the_demo_data_never_changes_an_existing_user(password):
    from myomap.accounts.models import User
    from myomap.web.demo import DEMO_ADMIN, create_demo_data_on_first_run, ensure_demo_data

    # Not a persona: someone's own account that happens to have the demo login's name.
    mine = User.objects.create_user(username="demo", password=password)
    assert create_demo_data_on_first_run() == []
    assert ensure_demo_data() == [DEMO_ADMIN]
    mine.refresh_from_db()
    assert mine.clinic_id is None and mine.role == User.Role.THERAPIST
    assert mine.check_password(password)
    assert not mine.check_password("myomap-demo")


@pytest.mark.django_db
def test_an_account_named_demo_with_its_own_password_is_not_a_demo_account(password):
    from myomap.accounts.models import User
    from myomap.web.demo import demo_accounts, ensure_demo_data, remove_demo_data

    mine = User.objects.create_user(username="demo", password=password)
    assert demo_accounts() == []
    ensure_demo_data()
    assert demo_accounts() == ["demo-admin"]
    assert remove_demo_data() == ["demo-admin"]
    mine.refresh_from_db()
    assert mine.is_active and mine.check_password(password)
    assert list(User.objects.values_list("username", flat=True)) == ["demo"]


@pytest.mark.django_db
def test_removing_the_demo_deletes_its_clinic_and_records_but_keeps_the_audit_log(people):
    from myomap.accounts.models import Clinic, User
    from myomap.audit.models import AuditEvent
    from myomap.clients.models import Client
    from myomap.visits.models import Visit
    from myomap.web.demo import (
        CLINIC_NAME,
        create_demo_data_on_first_run,
        ensure_demo_data,
        remove_demo_data,
    )

    assert create_demo_data_on_first_run() == []  # Lakeside is in use: nothing by itself
    ensure_demo_data()
    events = AuditEvent.objects.count()
    assert Client.objects.filter(clinic__name=CLINIC_NAME).count() == 3

    assert remove_demo_data() == ["demo", "demo-admin"]
    assert not Clinic.objects.filter(name=CLINIC_NAME).exists()
    assert not User.objects.filter(username__startswith="demo").exists()
    assert Client.objects.count() == 0 and Visit.objects.count() == 0
    assert sorted(Clinic.objects.values_list("name", flat=True)) == ["Hilltop", "Lakeside"]
    assert User.objects.filter(username="carol", role=User.Role.ADMIN).exists()
    assert AuditEvent.objects.count() == events
    assert AuditEvent.objects.filter(client_label="Maria Lopez").exists()


@pytest.mark.django_db
def test_the_health_check_names_the_database_when_it_fails(client):
    from django.db import OperationalError, connection

    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "knowledge": "ok"}

    def unreachable(execute, sql, params, many, context):
        raise OperationalError("unable to open database file")

    with connection.execute_wrapper(unreachable):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "database": "failed",
        "knowledge": "ok",
        "failed": ["database"],
    }
    assert "unable to open" not in response.content.decode()


@pytest.mark.django_db
def test_the_health_check_names_a_broken_knowledge_base(client, monkeypatch, tmp_path):
    from myomap.core.kb import load_default

    (tmp_path / "broken.yaml").write_text("kind: muscles\nentries: [\n", encoding="utf-8")
    monkeypatch.setenv("MYOMAP_KNOWLEDGE_DIR", str(tmp_path))
    load_default.cache_clear()
    try:
        response = client.get("/healthz")
    finally:
        monkeypatch.delenv("MYOMAP_KNOWLEDGE_DIR")
        load_default.cache_clear()
    assert response.status_code == 503
    assert response.json()["failed"] == ["knowledge"]
    assert response.json()["database"] == "ok"
    assert "broken.yaml" not in response.content.decode()


def _failed_sign_in_address(data, env, forwarded, workers, https=True, secure_cookie=None):
    """Through the real `myomap serve` with `workers` processes: one failed sign-in with
    these forwarded headers, over HTTPS as far as the server should believe (`https`); the
    address the throttle counted it against, which is the one the audit log recorded too."""
    old_env = dict(os.environ)
    os.environ.update(env)
    try:
        with serving(data, "--workers", workers) as (port, _):
            url = f"http://127.0.0.1:{port}/accounts/login/"
            first = urllib.request.urlopen(urllib.request.Request(url, headers=forwarded))
            page = first.read().decode()
            # Behind the proxy the cookie is Secure (the request counted as HTTPS): send it
            # back by hand.
            cookie = first.headers["Set-Cookie"]
            assert ("Secure" in cookie) == (https if secure_cookie is None else secure_cookie)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong"}
            ).encode()
            origin = f"{'https' if https else 'http'}://127.0.0.1:{port}"
            headers = forwarded | {
                "Cookie": cookie.split(";")[0],
                "Origin": origin,
                "Referer": f"{origin}/accounts/login/",
            }
            answer = urllib.request.urlopen(urllib.request.Request(url, body, headers=headers))
            assert answer.status == 200
            assert "Please enter a correct username and password" in answer.read().decode()
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    with sqlite3.connect(data / "myomap.sqlite3") as db:
        rows = db.execute("select ip from accounts_loginfailure").fetchall()
        audited = db.execute(
            "select ip from audit_auditevent where summary like 'failed sign-in as %'"
        ).fetchall()
    assert len(rows) == 1
    assert audited == rows
    return rows[0][0]


# One process is waitress, two are gunicorn: both believe the same headers from the same
# peers, and only those.
SERVERS = pytest.mark.parametrize("workers", ["1", "2"], ids=["waitress", "gunicorn"])


@SERVERS
def test_behind_the_declared_proxy_the_server_believes_only_the_proxys_headers(tmp_path, workers):
    """The proxy (127.0.0.1) appended the client's address to an X-Forwarded-For the client
    had forged; the failed sign-in counts against the address the proxy saw, and the
    request counts as HTTPS."""
    env = {"MYOMAP_BEHIND_HTTPS_PROXY": "true", "MYOMAP_ALLOWED_HOSTS": "localhost,127.0.0.1"}
    forwarded = {"X-Forwarded-For": "6.6.6.6, 198.51.100.9", "X-Forwarded-Proto": "https"}
    assert _failed_sign_in_address(tmp_path / "data", env, forwarded, workers) == "198.51.100.9"


@SERVERS
def test_behind_a_chain_of_proxies_the_outermost_ones_entry_is_the_client(tmp_path, workers):
    """A CDN in front of nginx: with MYOMAP_TRUSTED_PROXY_COUNT=2 the client is the entry the
    CDN appended, not nginx's own view of the CDN."""
    env = {
        "MYOMAP_BEHIND_HTTPS_PROXY": "true",
        "MYOMAP_TRUSTED_PROXY_COUNT": "2",
        "MYOMAP_ALLOWED_HOSTS": "localhost,127.0.0.1",
    }
    chain = {
        "X-Forwarded-For": "6.6.6.6, 198.51.100.9, 10.0.0.5",
        "X-Forwarded-Proto": "https",
    }
    assert _failed_sign_in_address(tmp_path / "data", env, chain, workers) == "198.51.100.9"


FORGED = {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"}


@SERVERS
def test_without_a_declared_proxy_forged_forwarded_headers_are_ignored(tmp_path, workers):
    """No proxy declared: a client writing X-Forwarded-For and X-Forwarded-Proto itself
    is recorded at its real address, and its request is not taken for HTTPS."""
    address = _failed_sign_in_address(tmp_path / "data", {}, FORGED, workers, https=False)
    assert address == "127.0.0.1"


@SERVERS
def test_behind_a_proxy_the_headers_are_ignored_from_any_other_address(tmp_path, workers):
    """The proxy is declared at 192.0.2.1; a request from 127.0.0.1 (not the proxy) with the
    headers is recorded at 127.0.0.1. (The cookie is Secure as always behind a proxy; the
    redirect to HTTPS is turned off to see the sign-in page over plain HTTP.)"""
    env = {
        "MYOMAP_BEHIND_HTTPS_PROXY": "true",
        "MYOMAP_TRUSTED_PROXIES": "192.0.2.1",
        "MYOMAP_SSL_REDIRECT": "false",
        "MYOMAP_ALLOWED_HOSTS": "localhost,127.0.0.1",
    }
    address = _failed_sign_in_address(
        tmp_path / "data", env, FORGED, workers, https=False, secure_cookie=True
    )
    assert address == "127.0.0.1"


# Several processes: gunicorn, on Linux (the process tree is read from /proc).
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def workers_of(master: int) -> set[int]:
    """The live child processes of `master` (its server workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == master and state != "Z" and not is_jobs_consumer(int(entry.name)):
            found.add(int(entry.name))
    return found


def is_jobs_consumer(pid: int) -> bool:
    """The background jobs' one consumer that serve starts beside its web workers."""
    try:
        return b"worker\x00--quiet" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def wait_for(check, what: str):
    """Poll `check` until it returns something true (a process starting or ending)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still not {what} after 30 s")


def holds_database(pid: int, data: Path) -> bool:
    """Process `pid` has the embedded database file open (a database connection)."""
    database = os.path.realpath(data / "myomap.sqlite3")
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd) == database:
                return True
    return False


@LINUX
def test_two_workers_answer_keep_their_connections_and_a_killed_one_is_replaced(tmp_path):
    data = tmp_path / "data"
    with server(data, "--demo", "--workers", "2") as (proc, port, output):
        assert "2 server processes, 2 threads each." in output
        assert "Demo therapist login: demo / myomap-demo" in output
        first = wait_for(lambda: len(workers_of(proc.pid)) == 2 and workers_of(proc.pid), "2")
        base = f"http://127.0.0.1:{port}"
        for _ in range(20):  # new connections each time, so both workers serve some
            with urllib.request.urlopen(f"{base}/healthz") as response:
                assert json.loads(response.read())["database"] == "ok"
        # A worker that answered keeps its connection for the next request (without
        # persistent connections it would close it as each request ends: give the last
        # one a moment to end). The master opened the database before forking and closed
        # it: no worker shares its connection.
        time.sleep(0.5)
        assert any(holds_database(worker, data) for worker in first)
        assert not holds_database(proc.pid, data)
        browser, landed = sign_in(base, "demo", "myomap-demo")
        assert landed == f"{base}/clients/"
        assert "Lopez, Maria" in browser.open(f"{base}/clients/").read().decode()
        # The sign-in was committed: another connection (this test's) sees its session.
        with sqlite3.connect(data / "myomap.sqlite3") as db:
            assert db.execute("SELECT COUNT(*) FROM django_session").fetchone()[0] == 1

        killed = min(first)
        os.kill(killed, signal.SIGKILL)
        now = wait_for(
            lambda: (w := workers_of(proc.pid)) and len(w) == 2 and killed not in w and w,
            "replaced",
        )
        assert len(now - first) == 1
        for _ in range(10):  # whichever worker answers, the session (in the database) holds
            assert "Lopez, Maria" in browser.open(f"{base}/clients/").read().decode()

        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "Myomap stopped." in rest
        assert not any(Path(f"/proc/{worker}").exists() for worker in now)


@LINUX
@SERVERS
def test_sigterm_stops_the_server_and_its_workers_cleanly(tmp_path, workers):
    with server(tmp_path / "data", "--workers", workers) as (proc, port, _):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
        children = workers_of(proc.pid)
        assert len(children) == (2 if workers == "2" else 0)
        proc.terminate()
        rest, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "Myomap stopped." in rest
        assert not any(Path(f"/proc/{child}").exists() for child in children)


@pytest.mark.parametrize(
    ("option", "value"), [("--workers", "0"), ("--workers", "-2"), ("--threads", "0")]
)
def test_workers_and_threads_must_be_at_least_one(tmp_path, option, value):
    refused = myomap(tmp_path / "data", "serve", option, value)
    assert refused.returncode == 2
    assert f"myomap serve: {option} must be 1 or more, not {value}" in refused.stderr
    assert not (tmp_path / "data" / "myomap.sqlite3").exists()


@SERVERS
def test_a_port_in_use_is_one_clear_message(tmp_path, workers):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = myomap(tmp_path / "data", "serve", "--port", str(port), "--workers", workers)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"myomap serve: cannot listen on 127.0.0.1:{port} (Address already in use). "
        "Is Myomap already running? Try --port with another number."
    )
    assert "Myomap is running" not in refused.stdout


def attempt_sign_in(base: str, username: str, password: str) -> tuple[str, str]:
    """One sign-in through the form, in a browser of its own: where it ended, and the page."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
    )
    answer = browser.open(request)
    return answer.geturl(), answer.read().decode()


def test_the_login_throttle_holds_across_separate_server_processes(tmp_path):
    """Two servers on one database (as two machines behind a proxy share PostgreSQL): the
    failures counted by one refuse the right password on the other."""
    data = tmp_path / "data"
    assert myomap(data, "demo").returncode == 0
    with serving(data, "--workers", "1") as (one, _), serving(data, "--workers", "2") as (two, _):
        bases = [f"http://127.0.0.1:{one}", f"http://127.0.0.1:{two}"]
        for attempt in range(5):
            landed, page = attempt_sign_in(bases[attempt % 2], "demo", "not-the-password")
            assert "Please enter a correct username and password" in page
        landed, page = attempt_sign_in(bases[1], "demo", "myomap-demo")
        assert landed == f"{bases[1]}/accounts/login/"
        assert "Too many failed sign-ins. For your security, try again in 15 minutes." in page
        landed, page = attempt_sign_in(bases[0], "demo", "myomap-demo")
        assert "Too many failed sign-ins" in page
    with sqlite3.connect(data / "myomap.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM accounts_loginfailure").fetchone()[0] == 5


@pytest.mark.django_db
def test_a_database_connection_is_kept_between_requests_and_checked_before_reuse():
    """Each new SQLite connection is set up once (Django runs init_command when it opens
    one): writers wait for the lock, foreign keys hold. PostgreSQL keeps its connections a
    minute; both are checked before reuse, so a connection broken meanwhile is replaced."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    if connection.vendor != "sqlite":
        assert database["CONN_MAX_AGE"] == 60
        return
    assert database["CONN_MAX_AGE"] == 600
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA busy_timeout").fetchone() == (5000,)
        assert cursor.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert cursor.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    assert connection.transaction_mode == "IMMEDIATE"


def test_a_stop_the_moment_serve_says_it_is_running_stops_it_and_its_jobs_consumer(tmp_path):
    """A service manager's SIGTERM right after "Press Ctrl+C" (before the server's own
    handlers are in) still ends serve through its stop, with the jobs consumer it started:
    the output closes (the consumer shares it) and serve says it stopped."""
    with server(tmp_path / "data") as (proc, _, output):
        assert "Press Ctrl+C to stop." in output
        proc.terminate()
        rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Myomap stopped." in rest


def _running(pid: str) -> bool:
    """A process that exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_serve_killed_outright_takes_its_jobs_consumer_with_it(tmp_path):
    """serve dies without its stop (SIGKILL, a crash): its jobs consumer and web processes
    end too, so a serve started again never runs beside an orphan consumer of its queue."""
    with server(tmp_path / "data") as (proc, _, output):
        assert "Press Ctrl+C to stop." in output
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert children, "serve started no processes of its own"
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_running(c) for c in children):
            time.sleep(0.1)
        assert [c for c in children if _running(c)] == []
