"""A FHIR import from the clinic's Data page (/accounts/clinic/data/): carol, Lakeside's
clinic admin, uploads a Bundle; the page checks it (a dry run: nothing of the clinic's
records is written) and says, resource by resource, what the import would do; she
imports it (through the same actions as `myomap import fhir`, audited) or discards it. A
file that cannot be imported says why and offers no import. The Bundle is the FHIR
specification's own examples (tests/data/fhir, CC0): Pieter van de Heuvel and a
body-weight observation Myomap has no place for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from interop_fixtures import spec_examples
from records_fixtures import World, build_world

from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.clinicdata.models import ImportCheck

pytestmark = pytest.mark.django_db
DATA = "/accounts/clinic/data/"


@pytest.fixture
def world() -> World:
    return build_world()


def upload(name: str, data: bytes) -> dict[str, Any]:
    return {"bundle": SimpleUploadedFile(name, data, content_type="application/json")}


def _text(html: str) -> str:
    """The page's words, tags out, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _followed(browser: Any, response: Any) -> str:
    assert response.status_code == 302, response.content[:500]
    assert response["Location"].endswith("#fhir-import")
    return _text(browser.get(response["Location"]).content.decode())


def test_the_check_says_what_would_happen_and_writes_nothing(world: World) -> None:
    carol = world.web("carol")
    clients, events = Client.objects.count(), AuditEvent.objects.count()
    answer = carol.post(DATA + "import/", upload("examples.json", spec_examples().encode()))
    page = _followed(carol, answer)

    assert "Checked: examples.json" in page
    assert "Would import: 1 new, 0 already here (matched), 1 not imported" in page
    assert "new: would be created Patient (entry 1)" in page
    assert "client Pieter van de Heuvel" in page
    assert "not imported Observation (entry 2)" in page
    assert "Import examples.json" in page
    # nothing of the clinic's records, nor the log, changed; the check is kept for carol
    assert Client.objects.count() == clients and AuditEvent.objects.count() == events
    check = ImportCheck.objects.get()
    assert (check.checked_by, check.clinic, check.name) == (
        world.carol,
        world.carol.clinic,
        "examples.json",
    )
    assert [item[0] for item in check.items] == ["skip", "create"]
    assert check.problems == []


def test_importing_the_checked_file_creates_the_client_audited_and_ends_the_check(
    world: World,
) -> None:
    carol = world.web("carol")
    carol.post(DATA + "import/", upload("examples.json", spec_examples().encode()))
    check = ImportCheck.objects.get()

    page = _followed(carol, carol.post(DATA + "import/run/", {"check": str(check.pk)}))
    assert "Imported: 1 created, 0 matched by identifier." in page
    assert "Checked: examples.json" not in page  # the check is done with
    pieter = Client.objects.get(family_name="van de Heuvel")
    assert (pieter.clinic, pieter.given_name) == (world.carol.clinic, "Pieter")
    assert not ImportCheck.objects.exists()
    event = AuditEvent.objects.filter(summary__startswith="FHIR import of examples.json").get()
    assert (event.actor, event.via, event.summary) == (
        world.carol,
        "web",
        "FHIR import of examples.json: 1 created, 0 matched",
    )
    # the same file again: its identifiers are another system's, so the check warns that
    # the import would make a second record of him
    page = _followed(
        carol, carol.post(DATA + "import/", upload("examples.json", spec_examples().encode()))
    )
    assert (
        f"client {pieter.pk} has the same name and birth date but no identifier of this file:"
        " this makes a second record"
    ) in page
    assert Client.objects.filter(family_name="van de Heuvel").count() == 1


def test_a_file_that_cannot_be_imported_lists_why_and_offers_no_import(world: World) -> None:
    carol = world.web("carol")
    page = _followed(carol, carol.post(DATA + "import/", upload("notes.json", b'{"a": 1}')))
    assert "This file cannot be imported: nothing of it would be." in page
    assert "Import notes.json" not in page
    check = ImportCheck.objects.get()
    assert check.problems, "the check keeps why it was refused"
    assert check.problems[0] in page
    # a forged import of the refused check imports nothing and says so
    clients = Client.objects.count()
    page = _followed(carol, carol.post(DATA + "import/run/", {"check": str(check.pk)}))
    assert "Nothing was imported: notes.json was refused by its check" in page
    assert Client.objects.count() == clients


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({}, "Choose the Bundle's file to check."),
        (upload("empty.json", b""), "The submitted file is empty."),
        (
            upload("latin.json", '{"n": "Jos\xe9"}'.encode("latin-1")),
            "latin.json is not UTF-8 text",
        ),
    ],
    ids=["no file", "empty", "not utf-8"],
)
def test_bad_uploads_are_named_beside_the_field_and_nothing_is_kept(
    world: World, files: dict[str, Any], said: str
) -> None:
    answer = world.web("carol").post(DATA + "import/", files)
    assert answer.status_code == 400
    assert said in answer.content.decode().replace("&#x27;", "'")
    assert not ImportCheck.objects.exists()


def test_discarding_forgets_the_check_and_another_admins_check_is_not_run(
    world: World,
) -> None:
    carol = world.web("carol")
    carol.post(DATA + "import/", upload("examples.json", spec_examples().encode()))
    check = ImportCheck.objects.get()
    # alice (a therapist) may not import it; bob's clinic's admin would not find it
    assert (
        world.web("alice").post(DATA + "import/run/", {"check": str(check.pk)}).status_code == 403
    )
    page = _followed(carol, carol.post(DATA + "import/discard/"))
    assert "The checked Bundle is discarded: nothing was imported." in page
    assert not ImportCheck.objects.exists()
    assert not Client.objects.filter(family_name="van de Heuvel").exists()
    page = _followed(carol, carol.post(DATA + "import/run/", {"check": str(check.pk)}))
    assert "Nothing was imported: there is no checked Bundle to import" in page
