"""`myomap export fhir|csv` and `myomap import fhir` from the command line, on the demo
clinic in its own data folder: the files are 0600 (a CSV folder 0700), never written over
an existing one, and each export is in the audit log, one event per client; an import into
another installation's clinic (its admin, carol, made by `myomap admin create`) reports
item by item on a dry run and changes nothing, then creates what the Bundle holds; a
malformed file is refused with each problem named and nothing created."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

MYOMAP = [sys.executable, "-m", "myomap.cli.main"]


def myomap(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "MYOMAP"))}
    environ.pop("DATABASE_URL", None)
    environ["MYOMAP_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [*MYOMAP, *args], env=environ, capture_output=True, text=True, timeout=180, check=False
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(data_dir / "myomap.sqlite3")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("fhir") / "demo"
    made = myomap("demo", data_dir=data)
    assert made.returncode == 0, made.stderr
    return data


@pytest.fixture(scope="module")
def exported(demo: Path) -> Path:
    out = demo.parent / "clinic.json"
    done = myomap("export", "fhir", "--user", "demo", str(out), data_dir=demo)
    assert done.returncode == 0, done.stderr
    assert f"in {out} (0600)" in done.stdout
    return out


def test_the_clinic_export_is_a_private_valid_bundle_and_audited(
    demo: Path, exported: Path
) -> None:
    assert mode(exported) == 0o600
    bundle = json.loads(exported.read_text())
    Bundle.model_validate(bundle)
    patients = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert sorted(p["name"][0]["family"] for p in patients) == ["Becker", "Lopez", "Okafor"]
    (export,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "AuditEvent"
    ]
    assert export["type"]["display"] == "Export" and export["agent"][0]["requestor"] is True
    assert len(export["entity"]) == 3  # whose records: the three patients
    events = rows(
        demo, "SELECT client_label, summary, via FROM audit_auditevent WHERE action = 'export'"
    )
    assert sorted(e[0] for e in events) == ["Maria Lopez", "Ruth Okafor", "Tom Becker"]
    assert {(e[1], e[2]) for e in events} == {(f"FHIR export to {exported.name}", "cli")}


def test_one_client_and_a_signed_note_export_on_their_own(demo: Path) -> None:
    (maria,) = rows(demo, "SELECT id FROM clients_client WHERE family_name = 'Lopez'")
    one = demo.parent / "maria.json"
    assert (
        myomap(
            "export", "fhir", "--user", "demo", "--client", str(maria[0]), str(one), data_dir=demo
        ).returncode
        == 0
    )
    kinds = [e["resource"]["resourceType"] for e in json.loads(one.read_text())["entry"]]
    assert kinds.count("Patient") == 1
    (visit,) = rows(demo, f"SELECT id FROM visits_visit WHERE client_id = {maria[0]}")
    note = demo.parent / "note.json"
    done = myomap(
        "export", "fhir", "--user", "demo", "--note", str(visit[0]), str(note), data_dir=demo
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(note.read_text())
    assert document["type"] == "document"
    assert document["entry"][0]["resource"]["resourceType"] == "Composition"
    assert mode(note) == 0o600


def test_an_existing_file_or_an_unknown_person_is_refused(demo: Path, exported: Path) -> None:
    again = myomap("export", "fhir", "--user", "demo", str(exported), data_dir=demo)
    assert again.returncode == 2 and "already exists" in again.stderr
    nobody = myomap(
        "export", "fhir", "--user", "mallory", str(demo.parent / "x.json"), data_dir=demo
    )
    assert (
        nobody.returncode == 2 and "no active therapist or clinic admin 'mallory'" in nobody.stderr
    )
    assert not (demo.parent / "x.json").exists()


def test_the_csv_export_writes_each_table_and_its_data_dictionary(demo: Path) -> None:
    out = demo.parent / "csv"
    done = myomap("export", "csv", "--user", "demo", str(out), data_dir=demo)
    assert done.returncode == 0, done.stderr
    assert mode(out) == 0o700
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "README.csv", "clients.csv", "findings.csv", "outcomes.csv", "treatments.csv", "visits.csv"
    ]  # fmt: skip
    assert all(mode(out / n) == 0o600 for n in names)
    clients = list(csv.DictReader((out / "clients.csv").open()))
    assert sorted(c["family_name"] for c in clients) == ["Becker", "Lopez", "Okafor"]
    ruth = next(c for c in clients if c["family_name"] == "Okafor")
    assert ruth["data_consent_how"] == "verbal" and ruth["phone"] == "'+44 20 7946 0000"
    findings = list(csv.DictReader((out / "findings.csv").open()))
    assert {f["what"] for f in findings} >= {"gluteus-medius-posterior", "piriformis-medial"}
    dictionary = list(csv.DictReader((out / "README.csv").open()))
    for name in names[1:]:
        header = next(csv.reader((out / name).open()))
        assert header == [d["column"] for d in dictionary if d["file"] == name]
    assert all(d["meaning"] for d in dictionary)
    events = rows(demo, "SELECT COUNT(*) FROM audit_auditevent WHERE summary = 'CSV export to csv'")
    assert events == [(3,)]


def test_an_import_elsewhere_dry_runs_then_creates_what_the_bundle_holds(
    exported: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    assert (
        myomap("admin", "create", "carol", "--clinic", "Elsewhere", data_dir=other).returncode == 0
    )
    dry = myomap("import", "fhir", "--user", "carol", "--dry-run", str(exported), data_dir=other)
    assert dry.returncode == 0, dry.stderr + dry.stdout
    assert "create  Patient (entry 1): client Maria Lopez" in dry.stdout
    assert "skip    ConceptMap" in dry.stdout
    assert "skip    AuditEvent" in dry.stdout and "its own audit log" in dry.stdout
    assert "Dry run, nothing changed:" in dry.stdout
    assert rows(other, "SELECT COUNT(*) FROM clients_client") == [(0,)]

    done = myomap("import", "fhir", "--user", "carol", str(exported), data_dir=other)
    assert done.returncode == 0, done.stderr + done.stdout
    stored = rows(other, "SELECT given_name, family_name FROM clients_client ORDER BY family_name")
    assert stored == [("Tom", "Becker"), ("Maria", "Lopez"), ("Ruth", "Okafor")]
    gates = rows(
        other,
        "SELECT c.family_name, i.gate FROM clients_intake i "
        "JOIN clients_client c ON c.id = i.client_id ORDER BY 1",
    )
    assert gates == [("Becker", "clear"), ("Lopez", "clear"), ("Okafor", "blocked")]
    signed = rows(other, "SELECT COUNT(*) FROM visits_noteversion WHERE signed_at IS NOT NULL")
    assert signed == [(1,)]
    audit = rows(other, "SELECT summary FROM audit_auditevent WHERE summary LIKE 'FHIR import%'")
    assert audit and "created" in str(audit[0][0])


def test_a_malformed_file_is_refused_with_each_problem_and_nothing_created(
    exported: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    assert (
        myomap("admin", "create", "carol", "--clinic", "Elsewhere", data_dir=other).returncode == 0
    )
    bundle = json.loads(exported.read_text())
    bundle["entry"][0]["resource"]["birthDate"] = 1979
    bundle["entry"].append({"resource": {"resourceType": "Observation", "status": "final"}})
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(bundle))
    done = myomap("import", "fhir", "--user", "carol", str(broken), data_dir=other)
    assert done.returncode == 1
    assert "refuse  entry 1 (Patient): birthDate" in done.stdout
    assert "(Observation): code:" in done.stdout
    assert "nothing was imported" in done.stdout
    assert rows(other, "SELECT COUNT(*) FROM clients_client") == [(0,)]
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    refused = myomap("import", "fhir", "--user", "carol", str(junk), data_dir=other)
    assert refused.returncode == 1 and "the file is not JSON" in refused.stdout
