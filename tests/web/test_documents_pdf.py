"""Printable documents are real PDFs whose text says what the page says: the session note
(signed, or marked as a draft), the referral letter, the outcomes progress report with its
plot. Read back with pypdf (the text a reader sees) and pypdfium2 (page 1 as a PNG,
saved to look at). Personas: Alice is Lakeside's therapist, Bob Hilltop's, Dan a Lakeside
client (tests/personas.py)."""

from __future__ import annotations

import builtins
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2
import pytest
from records_fixtures import World, build_world

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.documents.pdf import INSTALL, safe_filename, static_file
from myomap.outcomes import actions as outcome_actions
from myomap.visits import queries as visit_queries

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def world() -> World:
    return build_world()


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def page_one_png(pdf: bytes, name: str) -> Any:
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=1.5).to_pil()
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / name)
    return image


def pdf_of(world: World, persona: str, path: str) -> bytes:
    answer = world.web(persona).get(path)
    assert answer.status_code == 200, answer.content[:300]
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith('inline; filename="')
    body: bytes = answer.content
    assert body.startswith(b"%PDF-")
    return body


def test_the_signed_note_as_a_pdf_says_what_the_note_says(world: World) -> None:
    version = visit_queries.latest_version(world.signed_visit)
    assert version is not None and version.is_signed
    before = AuditEvent.objects.count()
    pdf = pdf_of(world, "alice", f"/visits/{world.signed_visit.pk}/note.pdf")
    text = " ".join(text_of(pdf).split())
    assert f"Session note — {world.client}" in text
    for heading in ("S — Subjective", "O — Objective", "A — Assessment", "P — Plan"):
        assert heading in text
    assert " ".join(version.assessment.split())[:60] in text
    assert "by alice" in text or "Alice" in text  # who signed
    assert "Draft" not in text
    assert "Lakeside" in text and "Page 1 of" in text
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1 and event is not None
    assert event.summary == f"session note v{version.number} as PDF"
    page = page_one_png(pdf, "note-signed.png")
    assert page.size[0] > 800 and page.getextrema() != ((255, 255),) * 3


def test_a_draft_note_pdf_says_on_its_face_that_it_is_not_signed(world: World) -> None:
    text = " ".join(text_of(pdf_of(world, "alice", f"/visits/{world.visit.pk}/note.pdf")).split())
    assert "Draft — not signed" in text
    page = world.web("alice").get(f"/visits/{world.visit.pk}/note/").content.decode()
    assert f'href="/visits/{world.visit.pk}/note.pdf">PDF (draft)</a>' in page


def test_a_client_prints_only_their_signed_note_and_another_clinic_nothing(world: World) -> None:
    text = text_of(pdf_of(world, "dan", f"/visits/{world.signed_visit.pk}/note.pdf"))
    assert "Draft" not in text
    # the draft is not Dan's to read yet: no signed version, nothing of it printed
    unsigned = text_of(pdf_of(world, "dan", f"/visits/{world.visit.pk}/note.pdf"))
    assert "No signed note yet." in unsigned and "Subjective" not in unsigned
    assert world.web("bob").get(f"/visits/{world.signed_visit.pk}/note.pdf").status_code == 404
    assert (
        world.web("anonymous").get(f"/visits/{world.signed_visit.pk}/note.pdf").status_code == 302
    )
    empty = text_of(pdf_of(world, "alice", f"/visits/{world.empty_visit.pk}/note.pdf"))
    assert "No note yet." in empty


def test_the_referral_letter_as_a_pdf_names_the_red_flags(world: World) -> None:
    pdf = pdf_of(world, "alice", f"/clients/intakes/{world.red_intake.pk}/referral-letter.pdf")
    text = " ".join(text_of(pdf).split())
    assert f"Referral: {world.red_intake.client}" in text
    assert "I refer for medical assessment" in text
    assert "it is not a diagnosis" in text
    assert "Print" not in text and "Back to the intake" not in text  # the page's tools
    assert "Confidential: health information" in text
    assert "Emergency: please assess today." in text or "Urgent: please assess soon." in text
    letter = world.web("alice").get(f"/clients/intakes/{world.red_intake.pk}/referral-letter/")
    page = letter.content.decode()
    assert 'referral-letter.pdf">PDF</a>' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert f'href="/clients/intakes/{world.red_intake.pk}/">← Back to the intake</a>' in page
    assert (
        world.web("dan")
        .get(f"/clients/intakes/{world.red_intake.pk}/referral-letter.pdf")
        .status_code
        == 403
    )


def test_the_outcomes_report_pdf_has_the_change_in_words_and_the_plot(world: World) -> None:
    ctx = Context(user=world.alice, now=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
    first = outcome_actions.ResponseData("rmdq", [1] * 14 + [0] * 10)
    outcome_actions.record_response(ctx, world.client, first)
    later = Context(user=world.alice, now=dt.datetime(2026, 4, 6, 10, tzinfo=dt.UTC))
    outcome_actions.record_response(
        later, world.client, outcome_actions.ResponseData("rmdq", [1] * 8 + [0] * 16)
    )
    record = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert f'href="/clients/{world.client.pk}/outcomes/report.pdf"' in record
    pdf = pdf_of(world, "alice", f"/clients/{world.client.pk}/outcomes/report.pdf")
    text = " ".join(text_of(pdf).split())
    assert f"Progress report — {world.client}" in text
    assert "RMDQ 14 → 8" in text
    assert "no cause is claimed" in text
    # the plot is drawn into the PDF: its axis dates and the two scores are on the page
    assert "2 Mar" in text and "6 Apr" in text
    page = page_one_png(pdf, "outcomes-report.png").convert("RGB")
    colours = {colour: n for n, colour in page.getcolors(maxcolors=1 << 20) or []}
    assert colours.get((0xDB, 0xEA, 0xFE), 0) > 5_000  # the plot's shaded band, drawn
    assert colours.get((0x1D, 0x4E, 0xD8), 0) > 500  # its line and points
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.summary == "outcomes report as PDF"
    assert event.client_id == world.client.pk
    # Dan prints his own report; Hilltop sees nothing of it
    own = pdf_of(world, "dan", f"/clients/{world.client.pk}/outcomes/report.pdf")
    assert "RMDQ 14 → 8" in " ".join(text_of(own).split())
    answer = world.web("bob").get(f"/clients/{world.client.pk}/outcomes/report.pdf")
    assert answer.status_code == 404


def test_without_pango_a_pdf_link_says_what_to_install(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_pango(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    before = AuditEvent.objects.count()
    answer = world.web("alice").get(f"/visits/{world.signed_visit.pk}/note.pdf")
    assert answer.status_code == 503
    assert AuditEvent.objects.count() == before  # nothing was shown: no read is logged
    assert INSTALL in answer.content.decode()
    assert "libpango-1.0-0" in answer.content.decode()


def test_a_document_reads_only_the_projects_static_files() -> None:
    data, kind = static_file("myomap-static:/static/myomap/css/document.css")
    assert kind == "text/css" and b"@page" in data
    for url in (
        "https://example.com/logo.png",
        "https://example.com/static/myomap/css/document.css",
        "myomap-static:/static/../../web/settings.py",
        "file:///etc/passwd",
        "myomap-static:/static/myomap/css/nothing-here.css",
    ):
        with pytest.raises(ValueError, match="only the project's static files"):
            static_file(url)


def test_a_pdf_file_name_is_safe_in_a_header() -> None:
    assert safe_filename('note-O\'Neil "x"\r\n.pdf') == "note-O-Neil-x-.pdf"
    assert safe_filename("note-Łukasik-2026-03-02-v1.pdf") == "note-Lukasik-2026-03-02-v1.pdf"
    assert safe_filename("outcomes-Öztürk-Brown.pdf") == "outcomes-Ozturk-Brown.pdf"
    assert safe_filename("\u202e") == "document.pdf"
