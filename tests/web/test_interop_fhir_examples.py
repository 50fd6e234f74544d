"""Import of data no one here wrote: two of the FHIR R4 specification's own example
resources (CC0, tests/data/fhir/README.md), put in a collection Bundle. Alice imports it
into Lakeside: the patient becomes a client (what a client does not keep is named), the
body weight observation is reported as not held, nothing crashes; a dry run first
changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from interop_fixtures import spec_examples as examples

from myomap.clients.models import Client
from myomap.interop.fhir_import import import_bundle
from personas import People

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_the_specifications_examples_import_what_myomap_holds_and_report_the_rest(
    people: People,
) -> None:
    dry = import_bundle(people.alice, examples(), now=NOW, dry_run=True)
    assert dry.ok, dry.lines()
    assert not Client.objects.exists()

    report = import_bundle(people.alice, examples(), now=NOW, dry_run=False)
    assert report.ok, report.lines()
    lines = report.lines()
    assert lines[0].startswith("skip    Observation (entry 2): Myomap holds no observation of")
    created = next(line for line in lines if line.startswith("create  Patient (entry 1)"))
    assert "client Pieter van de Heuvel" in created
    assert "not kept: active, address, communication, contact" in created

    client = Client.objects.get()
    assert (client.clinic, client.given_name, client.family_name) == (
        people.lakeside,
        "Pieter",
        "van de Heuvel",
    )
    assert (client.date_of_birth, client.email, client.phone) == (
        dt.date(1944, 11, 17),
        "p.heuvel@gmail.com",
        "0648352638",
    )
    assert client.missing_consents == ["treatment_consent", "data_consent"]  # none in the data
