"""The apps import each other only downwards, as docs/architecture.md draws them: the
shared kernel (`records`) imports no app, `audit` and `accounts` import no records app,
`clients` does not reach into `visits`, and only the surfaces (api, web, cli) import
everything. The core's own contract is tests/core/test_layers.py."""

from __future__ import annotations

import ast
from pathlib import Path

import myomap

ROOT = Path(myomap.__file__).parent

# app -> the myomap packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "records": set(),
    "accounts": {"records"},
    "audit": {"records"},
    "documents": set(),
    "clients": {"core", "records", "audit", "accounts", "documents"},
    "visits": {"core", "records", "audit", "accounts", "clients", "documents"},
    "outcomes": {"core", "records", "audit", "accounts", "clients", "visits", "documents"},
    # the client's portal shows their booked appointments (appointments imports no program)
    # and the questionnaires due, answered through outcomes' action (outcomes imports no
    # program: it reads the pain diary through the client's relation)
    "program": {
        "core",
        "records",
        "audit",
        "accounts",
        "clients",
        "visits",
        "documents",
        "jobs",
        "appointments",
        "outcomes",
        "messaging",
    },
    "bodymap": {"core"},
    "reference": {"core"},
    "backup": set(),
    "jobs": {"records", "accounts"},
    # messages to clients: their channels, the stop link, the clinic's wording
    "messaging": {"records", "audit", "accounts", "clients", "jobs"},
    "appointments": {
        "core",
        "records",
        "audit",
        "accounts",
        "clients",
        "visits",
        "jobs",
        "messaging",
    },
    "aftercare": {
        "core",
        "records",
        "audit",
        "accounts",
        "clients",
        "visits",
        "jobs",
        "appointments",
        "messaging",
    },
    "interop": {"core", "records", "audit", "clients", "visits", "outcomes"},
    "erasure": {"records", "audit", "accounts", "clients", "visits"},
    # the Data page shows the nightly backup, which clinicdata runs as a job over `backup`;
    # a FHIR import it checked belongs to a clinic and its admin (accounts)
    "clinicdata": {
        "records",
        "audit",
        "accounts",
        "clients",
        "interop",
        "erasure",
        "backup",
        "jobs",
    },
    # the client's own portal in the API (/api/me/...): program's and appointments' reads
    # and program's actions (neither imports the api)
    "api": {
        "core",
        "records",
        "audit",
        "accounts",
        "clients",
        "visits",
        "outcomes",
        "program",
        "appointments",
    },
    # web's settings check the nightly backup's passphrase by backup's own minimum; the
    # demo gives its therapist weekly hours through appointments' action
    "web": {
        "core",
        "records",
        "audit",
        "accounts",
        "clients",
        "visits",
        "outcomes",
        "api",
        "backup",
        "appointments",
    },
    "cli": {
        "core",
        "records",
        "audit",
        "accounts",
        "clients",
        "visits",
        "outcomes",
        "api",
        "web",
        "backup",
        "interop",
        "jobs",
        "erasure",
    },
}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[1] for n in names if n.startswith("myomap.") and n.count(".") >= 1}


def test_every_app_is_in_the_contract() -> None:
    apps = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {"knowledge"}
    assert apps == set(ALLOWED), "add the new package to ALLOWED with what it may import"


def test_apps_import_only_what_the_layers_allow() -> None:
    offenders = []
    for app, allowed in ALLOWED.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            for name in sorted(_imported(path) - allowed - {app}):
                offenders.append(f"{path.relative_to(ROOT)} imports myomap.{name}")
    assert offenders == []
