"""`myomap serve`, the main job, as a new user runs it: a fresh data folder, the embedded
SQLite database created in WAL mode, the demo login printed and working; and later starts,
which neither print demo passwords nor bring back demo accounts an admin deleted."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
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
def serving(data: Path, *args: str):
    """`myomap serve` on the data folder `data`: yields its port and what it printed."""
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
        yield port, "".join(lines)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def served(tmp_path):
    with serving(tmp_path / "data") as (port, output):
        yield port, output, tmp_path / "data"


def test_serve_prints_the_url_and_the_demo_login(served):
    port, output, _ = served
    assert f"Myomap is running at http://localhost:{port}/" in output
    assert "Demo therapist login: demo / myomap-demo" in output
    assert "Demo clinic admin login: demo-admin / myomap-admin" in output


def test_serve_creates_the_embedded_database_in_wal_mode_and_keeps_a_private_key(served):
    _, _, data = served
    with sqlite3.connect(data / "myomap.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        users = conn.execute("SELECT username FROM accounts_user ORDER BY username").fetchall()
        assert users == [("demo",), ("demo-admin",)]
        assert conn.execute("SELECT COUNT(*) FROM clients_client").fetchone()[0] == 3
        gates = conn.execute("SELECT gate FROM clients_intake ORDER BY id").fetchall()
        assert ("blocked",) in gates
    mode = stat.S_IMODE((data / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_the_printed_demo_login_opens_the_demo_clinic(served):
    port, output, _ = served
    username, password = re.search(r"login: (\S+) / (\S+)", output).groups()
    base = f"http://127.0.0.1:{port}"
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
    page = opener.open(request)
    assert page.geturl() == f"{base}/clients/"
    assert "Lopez, Maria" in page.read().decode()
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
    with serving(data) as (_, first):
        assert "demo / myomap-demo" in first
    # An admin removes the demo clinic admin.
    exe = Path(sys.executable).parent / "myomap"
    subprocess.run(
        [
            str(exe),
            "manage",
            "shell",
            "-c",
            "from myomap.accounts.models import User; "
            "User.objects.filter(username='demo-admin').delete()",
        ],
        env=serve_env(data),
        check=True,
        capture_output=True,
    )
    assert usernames(data) == ["demo"]

    with serving(data) as (port, later):
        assert f"Myomap is running at http://localhost:{port}/" in later
        assert "myomap-demo" not in later and "myomap-admin" not in later
        assert "login:" not in later
    assert usernames(data) == ["demo"]
    with sqlite3.connect(data / "myomap.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM clients_client").fetchone()[0] == 3

    # Asked for explicitly, the missing demo login comes back; only its password is shown.
    with serving(data, "--demo") as (_, asked):
        assert "Demo clinic admin login: demo-admin / myomap-admin" in asked
        assert "myomap-demo" not in asked
    assert usernames(data) == ["demo", "demo-admin"]


def test_no_demo_creates_no_accounts_even_on_the_first_run(tmp_path):
    data = tmp_path / "data"
    with serving(data, "--no-demo") as (_, output):
        assert "Press Ctrl+C" in output and "login:" not in output
    assert usernames(data) == []


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
