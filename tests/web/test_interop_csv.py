"""The CSV export of Dan Marlowe's record (tests/web/interop_fixtures.py): one row per
visit, finding, planned step, session hold and questionnaire, each in its file, as a
spreadsheet reads it, with the data dictionary naming every column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from interop_fixtures import QL, Record, dans_record

from myomap.interop import csv_export, gather
from personas import DAN_FAMILY_NAME, People

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(people: People) -> Record:
    return dans_record(people)


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_each_table_holds_the_record_as_recorded(
    record: Record, people: People, tmp_path: Path
) -> None:
    folder = tmp_path / "csv"
    made = csv_export.write_folder(folder, list(gather.every(people.alice, record.client.pk)))
    steps = len(record.signed_visit.plan_steps.all())
    assert made == {
        "clients.csv": 1, "visits.csv": 2, "findings.csv": 3, "treatments.csv": steps + 2,
        "outcomes.csv": 2,
    }  # fmt: skip
    (client,) = read(folder, "clients.csv")
    assert (client["family_name"], client["phone"]) == (DAN_FAMILY_NAME, "'+44 20 7946 0001")
    assert client["data_consent_how"] == "verbal"
    visits = read(folder, "visits.csv")
    assert [v["note_status"] for v in visits] == ["signed", "draft"]
    assert visits[0]["pain_drawing"] == "lumbar-upper-left=7;lumbar-lower-left=5;sacrum=3"
    first = next(f for f in read(folder, "findings.csv") if f["tender"] == "6")
    assert (first["what"], first["taut_band"], first["ppt_kg_cm2"]) == (QL, "yes", "2.5")
    holds = [t for t in read(folder, "treatments.csv") if t["source"] == "session"]
    assert [(h["pressure"], h["hold_seconds"]) for h in holds] == [
        ("moderate", "30"),
        ("light", "30"),
    ]
    nprs, psfs = read(folder, "outcomes.csv")
    assert (nprs["instrument"], nprs["score"], nprs["visit_id"]) == (
        "nprs", "7.0", str(record.signed_visit.pk)
    )  # fmt: skip
    assert psfs["answers"].startswith("4;6;5")
    dictionary = read(folder, "README.csv")
    for name in made:
        header = next(csv.reader((folder / name).open(encoding="utf-8")))
        assert header == [d["column"] for d in dictionary if d["file"] == name]


def test_the_streamed_zip_holds_the_same_files_byte_for_byte_and_leaves_no_spool(
    record: Record, people: People, tmp_path: Path
) -> None:
    """The Data page's download is streamed in chunks with its tables spooled in the
    (private) data folder: the same members as the .zip built whole, nothing left after."""
    import io
    import zipfile

    rows = list(gather.every(people.alice, record.client.pk))
    scratch = tmp_path / "data"
    scratch.mkdir()
    chunks = list(csv_export.stream_zip(iter(rows), "lakeside-csv", scratch))
    assert len(chunks) > 1, "sent in more than one piece"
    streamed = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    whole = zipfile.ZipFile(io.BytesIO(csv_export.zipped(rows, "lakeside-csv")))
    assert streamed.namelist() == whole.namelist()
    assert streamed.namelist()[-1] == "lakeside-csv/README.csv"
    for name in whole.namelist():
        assert streamed.read(name) == whole.read(name), name
    assert list(scratch.iterdir()) == []
