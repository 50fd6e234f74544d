"""The CSV export, for a spreadsheet: clients, visits, findings, treatments and outcome
scores, one file each, and README.csv, the data dictionary (file, column, meaning). A
cell a spreadsheet would read as a formula (starting =, +, - or @) is written with a
leading apostrophe."""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from myomap.core.kb import load_default
from myomap.interop.files import private_folder, write_private
from myomap.interop.gather import ClientRows

# file -> [(column, meaning)]: the data dictionary, and the columns in their order.
DICTIONARY: dict[str, list[tuple[str, str]]] = {
    "clients.csv": [
        ("client_id", "Myomap's number for the client (the FHIR Patient identifier)"),
        ("given_name", "given name"),
        ("family_name", "family name"),
        ("date_of_birth", "date of birth, YYYY-MM-DD"),
        ("email", "email address, if recorded"),
        ("phone", "phone number, if recorded"),
        ("treatment_consent_at", "when consent to treatment was recorded (ISO 8601, UTC)"),
        ("treatment_consent_how", "written or verbal"),
        ("data_consent_at", "when consent to recording health data was recorded"),
        ("data_consent_how", "written or verbal"),
    ],
    "visits.csv": [
        ("visit_id", "Myomap's number for the visit (the FHIR Encounter identifier)"),
        ("client_id", "the client (clients.csv)"),
        ("started_at", "when the visit started (ISO 8601, UTC)"),
        ("therapist", "the therapist's user name"),
        ("complaint", "the presenting complaint of the visit's intake"),
        ("pain_drawing", "body-map region id=pain 0-10, separated by ';'"),
        ("note_status", "none, draft or signed (the note's latest version)"),
        ("note_signed_at", "when that version was signed"),
    ],
    "findings.csv": [
        ("visit_id", "the visit (visits.csv)"),
        ("kind", "palpation or movement"),
        ("what", "the trigger point id (palpation) or the examination test id (movement)"),
        ("side", "the client's side: left, right, bilateral, midline (empty: none)"),
        ("tender", "palpation: tenderness 0-10 (empty: not rated)"),
        ("taut_band", "palpation: a taut band was felt (yes/no)"),
        ("referral", "palpation: compression reproduced the familiar pain (yes/no)"),
        ("twitch", "palpation: a local twitch response (yes/no)"),
        ("jump", "palpation: a jump sign (yes/no)"),
        ("ppt_kg_cm2", "palpation: pressure pain threshold, kg/cm²"),
        ("result", "movement: positive or negative"),
        ("note", "movement: the therapist's comment"),
        ("recorded_at", "when the finding was recorded"),
    ],
    "treatments.csv": [
        ("visit_id", "the visit (visits.csv)"),
        ("source", "plan (a planned step) or session (a hold of the guided session)"),
        ("order", "plan: the step's place; session: the hold's number on its point"),
        ("trigger_point", "the trigger point id"),
        ("side", "the client's side"),
        ("technique", "the technique id"),
        ("pressure", "light, moderate or firm"),
        ("hold_seconds", "plan: the planned hold; session: how long it was held"),
        ("repetitions", "plan: how many times (empty for a session hold)"),
        ("start", "session: when the hold began"),
        ("end", "session: when it ended"),
    ],
    "outcomes.csv": [
        ("client_id", "the client (clients.csv)"),
        ("visit_id", "the visit it was taken at (visits.csv; empty: none)"),
        ("instrument", "the questionnaire's id in the knowledge base (nprs, rmdq, odi, ...)"),
        ("taken_at", "when it was answered"),
        ("score", "the total score, in the instrument's own units"),
        ("band", "the band or risk group the score falls in, if the instrument has them"),
        ("subscales", "subscale id=score, separated by ';'"),
        ("answers", "the answers in item order, separated by ';' (empty: unanswered)"),
        ("voided_at", "when it was voided as entered in error (empty: in use, counted)"),
        ("void_reason", "why it was voided"),
    ],
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def tables(clients: Iterable[ClientRows]) -> dict[str, list[list[object]]]:
    out: dict[str, list[list[object]]] = {name: [] for name in DICTIONARY}
    for name, row in table_rows(clients):
        out[name].append(row)
    return out


def table_rows(clients: Iterable[ClientRows]) -> Iterator[tuple[str, list[object]]]:
    """Every row of every table, as (file, row), one client at a time."""
    for rows in clients:
        c = rows.client
        yield (
            "clients.csv",
            [c.pk, c.given_name, c.family_name, c.date_of_birth, c.email, c.phone,
             c.treatment_consent_at, c.treatment_consent_how, c.data_consent_at,
             c.data_consent_how]
        )  # fmt: skip
        for v in rows.visits:
            visit, version = v.visit, v.version
            status = "none" if version is None else "signed" if version.is_signed else "draft"
            pains = visit.intake.drawing  # in the body map's order, whatever the database's
            drawing = ";".join(f"{r}={pains[r]}" for r in load_default().regions if r in pains)
            yield (
                "visits.csv",
                [visit.pk, c.pk, visit.started_at, visit.therapist.get_username(),
                 visit.intake.complaint, drawing, status,
                 version.signed_at if version is not None else None]
            )  # fmt: skip
            for p in visit.palpations.all():
                yield (
                    "findings.csv",
                    [visit.pk, "palpation", p.trigger_point, p.side, p.tender, p.taut_band,
                     p.referral, p.twitch, p.jump, p.ppt, None, None, p.recorded_at]
                )  # fmt: skip
            for m in visit.movements.all():
                yield (
                    "findings.csv",
                    [visit.pk, "movement", m.test, m.side, None, None, None, None, None, None,
                     m.result, m.note, m.recorded_at]
                )  # fmt: skip
            for s in visit.plan_steps.all():
                yield (
                    "treatments.csv",
                    [visit.pk, "plan", s.order, s.trigger_point, s.side, s.technique,
                     s.pressure, s.hold_seconds, s.repetitions, None, None]
                )  # fmt: skip
            for _run, record in v.sessions:
                for h in record.holds:
                    yield (
                        "treatments.csv",
                        [visit.pk, "session", h.number, h.trigger_point, h.side, h.technique,
                         h.pressure, h.seconds, None, h.start, h.end]
                    )  # fmt: skip
        for r in rows.responses:
            yield (
                "outcomes.csv",
                [c.pk, r.visit_id, r.instrument, r.taken_at, r.total, r.band,
                 ";".join(f"{k}={v}" for k, v in sorted(r.subscales.items())),
                 ";".join("" if a is None else str(a) for a in r.answers),
                 r.voided_at, r.void_reason]
            )  # fmt: skip


def files(clients: Iterable[ClientRows]) -> tuple[dict[str, bytes], dict[str, int]]:
    """Every CSV file's bytes, README.csv (the data dictionary) last; rows per table."""
    made = tables(clients)
    out = {name: _table([c for c, _ in DICTIONARY[name]], rows) for name, rows in made.items()}
    out["README.csv"] = _dictionary()
    return out, {name: len(rows) for name, rows in made.items()}


def write_folder(folder: Path, clients: Iterable[ClientRows]) -> dict[str, int]:
    """Write the CSV files into a new folder (0700, files 0600); rows written per file."""
    private_folder(folder)
    made, counts = files(clients)
    for name, data in made.items():
        write_private(folder / name, data)
    return counts


CHUNK = 64 * 1024  # bytes read from a spooled table at a time while zipping


class _Sink(io.RawIOBase):
    """Where the zip is written while it is streamed: what was written since the last
    `take`. Not seekable, so zipfile writes each member's sizes after its data."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]  # RawIOBase's is Buffer
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_zip(clients: Iterable[ClientRows], folder: str, scratch: Path) -> Iterator[bytes]:
    """The files of `zipped`, byte for byte, as chunks of one .zip: the rows are written
    one client at a time to a private temporary file per table in `scratch` (gone when
    the stream ends), then zipped a chunk at a time, so memory stays flat however many
    clients there are."""
    with contextlib.ExitStack() as stack:
        spooled: dict[str, IO[bytes]] = {}
        texts: list[io.TextIOWrapper[Any]] = []
        writers: dict[str, Any] = {}  # csv writers (their type is private to csv)
        for name, columns in DICTIONARY.items():
            raw = stack.enter_context(tempfile.TemporaryFile(dir=scratch))
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            stack.callback(text.detach)  # the file is closed by the stack, once
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([c for c, _ in columns])
            spooled[name], writers[name] = raw, writer
            texts.append(text)
        for name, row in table_rows(clients):
            writers[name].writerow([_cell(v) for v in row])
        for wrapper in texts:
            wrapper.flush()
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, spool in spooled.items():
                spool.seek(0)
                with archive.open(f"{folder}/{name}", "w") as member:
                    while block := spool.read(CHUNK):
                        member.write(block)
                        yield sink.take()
            archive.writestr(f"{folder}/README.csv", _dictionary())
        yield sink.take()


def _dictionary() -> bytes:
    dictionary = [
        [name, column, meaning] for name, cols in DICTIONARY.items() for column, meaning in cols
    ]
    return _table(["file", "column", "meaning"], dictionary)


def zipped(clients: Iterable[ClientRows], folder: str) -> bytes:
    """The same files as `write_folder`, in one .zip under `folder/`."""
    made, _ = files(clients)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in made.items():
            archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()
