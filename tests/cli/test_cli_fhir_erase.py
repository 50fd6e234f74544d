"""`myomap erase` from the command line, on the demo clinic in its own data folder: its
admin erases Tom Becker (no signed note) at once; Maria Lopez's signed note is refused
until the clinic's legal minimum is set, then erased; the therapist may not; the database
keeps no trace of their names, and the erasure records say who asked."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

MYOMAP = [sys.executable, "-m", "myomap.cli.main"]
TODAY = dt.date.today().isoformat()


def myomap(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "MYOMAP"))}
    environ.pop("DATABASE_URL", None)
    environ["MYOMAP_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [*MYOMAP, *args], env=environ, capture_output=True, text=True, timeout=180, check=False
    )


def one(data_dir: Path, sql: str) -> object:
    conn = sqlite3.connect(data_dir / "myomap.sqlite3")
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def erase(data: Path, user: str, client: object) -> subprocess.CompletedProcess[str]:
    return myomap(
        "erase", "--user", user, "--client", str(client), "--requested-by", "the client",
        "--requested-on", TODAY, data_dir=data,
    )  # fmt: skip


def test_the_admin_erases_clients_on_request_within_the_retention_rule(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    assert myomap("demo", data_dir=data).returncode == 0
    tom = one(data, "SELECT id FROM clients_client WHERE family_name = 'Becker'")
    maria = one(data, "SELECT id FROM clients_client WHERE family_name = 'Lopez'")

    therapist = erase(data, "demo", tom)
    assert therapist.returncode == 2 and "only the clinic admin may do this" in therapist.stderr

    done = erase(data, "demo-admin", tom)
    assert done.returncode == 0, done.stderr
    assert f"Client {tom} erased:" in done.stdout
    assert one(data, "SELECT COUNT(*) FROM clients_client WHERE family_name = 'Becker'") == 0

    refused = erase(data, "demo-admin", maria)
    assert refused.returncode == 2 and "set the clinic's legal minimum" in refused.stderr
    rule = myomap("erase", "--user", "demo-admin", "--retention-years", "0", data_dir=data)
    assert rule.returncode == 0 and "kept 0 years" in rule.stdout
    assert erase(data, "demo-admin", maria).returncode == 0
    assert one(data, "SELECT COUNT(*) FROM clients_client WHERE family_name = 'Lopez'") == 0
    assert one(data, "SELECT COUNT(*) FROM audit_auditevent WHERE client_label LIKE '%Lopez%'") == 0
    assert one(data, "SELECT COUNT(*) FROM erasure_erasure WHERE requested_by = 'the client'") == 2
