"""`myomap serve`, the main job, as a new user runs it: a fresh data folder, the embedded
SQLite database created in WAL mode, the demo login printed and working."""

from __future__ import annotations

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


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MYOMAP_SECRET_KEY")}
    env["MYOMAP_DATA_DIR"] = str(tmp_path / "data")
    exe = Path(sys.executable).parent / "myomap"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        env=env,
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
        yield port, "".join(lines), tmp_path / "data"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
