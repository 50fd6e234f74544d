"""FHIR export and import (docs/interop.md), in process: Dan Marlowe's record with every
kind of thing Myomap holds (tests/web/interop_fixtures.py) exported by alice as a
collection Bundle that the R4B models validate; imported by bob into Hilltop, an empty
clinic, through the actions (the stored rows checked), and exported again: the same
resources, ids, meta, Myomap's own record numbers and the practitioners aside. A dry run
reports what would happen and writes nothing; importing into the clinic that exported
matches every record by identifier; a malformed Bundle names each problem and creates
nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from interop_fixtures import AMENDMENT, DRAWING, QL, T0, Record, at, ctx, dans_record

from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.clients.models import Client, Intake
from myomap.core.kb import load_default
from myomap.core.session.record import session_record
from myomap.interop import codes, fhir_export, gather
from myomap.interop.fhir_import import import_bundle
from myomap.outcomes.models import QuestionnaireResponse
from myomap.visits import queries as visit_queries
from myomap.visits import session_queries
from myomap.visits.models import (
    MovementFinding,
    NoteVersion,
    PalpationFinding,
    PlanStep,
    SessionRun,
    Visit,
)
from personas import DAN_BORN, DAN_FAMILY_NAME, GAIL_BORN, GAIL_FAMILY_NAME, People

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(days=30)


@pytest.fixture
def record(people: People) -> Record:
    return dans_record(people)


def exported(user: Any, client_id: int | None = None) -> dict[str, Any]:
    bundle = fhir_export.collection(list(gather.every(user, client_id)), NOW)
    return json.loads(bundle.model_dump_json())


def of_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def comparable(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources without ids, meta, Myomap's record numbers and the practitioners
    (a person is not imported: the one importing acts for them); each reference as the
    type and place of the resource it names."""
    resources = [e["resource"] for e in bundle["entry"]]
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for r in resources:
        kind = r["resourceType"]
        seen[kind] = seen.get(kind, 0) + 1
        names[f"urn:uuid:{r['id']}"] = f"{kind}#{seen[kind]}" if kind != "Practitioner" else kind

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: clean(v) for k, v in value.items() if k not in ("id", "meta")}
            if "reference" in out:
                out["reference"] = names.get(value["reference"], value["reference"])
                if out["reference"] == "Practitioner":
                    out.pop("display", None)
            if str(out.get("system", "")).startswith("urn:myomap:id:"):
                out["value"] = "*"
            return out
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return [clean(r) for r in resources if r["resourceType"] != "Practitioner"]


# ----------------------------------------------------------------------------- export
def test_the_export_holds_every_kind_of_record_and_the_models_validate_it(
    record: Record, people: People
) -> None:
    bundle = exported(people.alice, record.client.pk)
    Bundle.model_validate(bundle)  # the R4B models' structural validation, read back
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert bundle["type"] == "collection"
    every = ("Patient", "Consent", "Condition", "Observation", "Encounter", "CarePlan")
    every += ("Procedure", "Composition", "Provenance", "Practitioner", "ConceptMap")
    for kind in every:
        assert kind in kinds, kind
    assert kinds.count("Encounter") == 2 and kinds.count("Procedure") == 2
    assert kinds.count("Consent") == 2
    assert kinds.count("QuestionnaireResponse") == 2
    assert kinds.count("Composition") == 3 and kinds.count("Provenance") == 2  # per signature
    amendment = next(c for c in of_type(bundle, "Composition") if "relatesTo" in c)
    assert amendment["relatesTo"][0]["code"] == "replaces"
    assert amendment["extension"][1] == {
        "url": codes.EXT_AMENDMENT_REASON,
        "valueString": AMENDMENT,
    }
    patient = of_type(bundle, "Patient")[0]
    assert patient["name"] == [{"use": "official", "family": DAN_FAMILY_NAME, "given": ["Dan"]}]
    assert patient["birthDate"] == DAN_BORN.isoformat()


def test_each_pain_region_is_an_observation_with_its_snomed_body_site_and_side(
    record: Record, people: People
) -> None:
    bundle = exported(people.alice, record.client.pk)
    kb = load_default()
    pains = [o for o in of_type(bundle, "Observation") if "focus" in o]  # of the intake
    assert {o["bodySite"]["coding"][-1]["code"]: o["valueInteger"] for o in pains} == DRAWING
    upper = next(o for o in pains if o["bodySite"]["coding"][-1]["code"] == "lumbar-upper-left")
    snomed = kb.regions["lumbar-upper-left"].snomed
    assert upper["bodySite"]["coding"][0] == {"system": codes.SNOMED, "code": snomed}
    assert upper["bodySite"]["extension"] == [
        {
            "url": codes.EXT_LATERALITY,
            "valueCodeableConcept": {
                "coding": [{"system": codes.SNOMED, "code": "7771000", "display": "Left"}]
            },
        }
    ]
    sacrum = next(o for o in pains if o["bodySite"]["coding"][-1]["code"] == "sacrum")
    assert "extension" not in sacrum["bodySite"]  # the midline has no side
    concept_map = of_type(bundle, "ConceptMap")[0]
    mapped = {e["code"]: e["target"][0] for e in concept_map["group"][0]["element"]}
    assert mapped["lumbar-upper-left"] == {"code": snomed, "equivalence": "wider"}
    assert set(mapped) == set(kb.regions)


def test_a_palpation_finding_carries_its_signs_and_threshold(
    record: Record, people: People
) -> None:
    bundle = exported(people.alice, record.client.pk)
    palpations = [
        o for o in of_type(bundle, "Observation") if o["code"]["coding"][0]["code"] == "palpation"
    ]
    palpation = next(o for o in palpations if o["component"][0]["valueInteger"] == 6)
    values = {c["code"]["coding"][0]["code"]: c for c in palpation["component"]}
    assert values["tender"]["valueInteger"] == 6
    assert all(values[f]["valueBoolean"] for f in ("taut-band", "referral", "twitch", "jump"))
    assert values["ppt"]["valueQuantity"] == {
        "value": 2.5, "unit": "kg/cm²", "system": codes.UCUM, "code": "kg/cm2"
    }  # fmt: skip
    assert palpation["bodySite"]["coding"][0]["code"] == QL
    assert palpation["effectiveDateTime"] == at(11).isoformat().replace("+00:00", "Z")


def test_a_questionnaire_is_a_response_and_its_score_an_observation_with_loinc(
    record: Record, people: People
) -> None:
    bundle = exported(people.alice, record.client.pk)
    nprs, psfs = of_type(bundle, "QuestionnaireResponse")
    assert nprs["questionnaire"] == "urn:myomap:instrument:nprs"
    assert nprs["item"] == [
        {"linkId": "pain", "text": "Pain intensity", "answer": [{"valueInteger": 7}]}
    ]
    assert psfs["item"][0]["extension"] == [{"url": codes.EXT_ACTIVITY, "valueString": "gardening"}]
    assert "answer" not in psfs["item"][3]  # unanswered
    score = next(o for o in of_type(bundle, "Observation") if "derivedFrom" in o)
    assert score["code"]["coding"][0] == {
        "system": codes.LOINC,
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    assert score["valueQuantity"]["value"] == 7
    assert score["derivedFrom"][0]["reference"] == f"urn:uuid:{nprs['id']}"


def test_a_signed_note_exports_as_a_document_headed_by_its_composition(
    record: Record, people: People
) -> None:
    rows = gather.rows_of(people.alice, record.client)
    signed = next(v for v in rows.visits if v.visit.pk == record.signed_visit.pk)
    document = json.loads(fhir_export.document(rows, signed, NOW).model_dump_json())
    Bundle.model_validate(document)
    first = document["entry"][0]["resource"]
    assert document["type"] == "document" and first["resourceType"] == "Composition"
    assert first["status"] == "final" and first["attester"][0]["mode"] == "legal"
    version = visit_queries.latest_version(record.signed_visit)
    assert version is not None and version.subjective
    assert first["section"][0]["title"] == "Subjective"
    kinds = {e["resource"]["resourceType"] for e in document["entry"]}
    assert {"Patient", "Encounter", "Provenance", "Practitioner"} <= kinds


# ----------------------------------------------------------------------------- round trip
def test_the_round_trip_through_an_empty_clinic_gives_the_same_resources(
    record: Record, people: People
) -> None:
    first = exported(people.alice, record.client.pk)
    report = import_bundle(people.bob, json.dumps(first), now=NOW, dry_run=False)
    assert report.ok, report.lines()

    # the stored rows, in Hilltop
    client = Client.objects.get(clinic=people.hilltop)
    assert (client.given_name, client.family_name, client.date_of_birth) == (
        "Dan",
        DAN_FAMILY_NAME,
        DAN_BORN,
    )
    assert (client.email, client.phone) == ("dan@example.org", "+44 20 7946 0001")
    assert (client.treatment_consent_at, client.treatment_consent_how) == (at(0), "written")
    assert (client.data_consent_at, client.data_consent_how, client.data_consent_note) == (
        at(1), "verbal", "agreed by phone"
    )  # fmt: skip
    intake = Intake.objects.get(client=client)
    assert intake.pain_drawing == DRAWING and intake.recorded_at == at(2)
    assert intake.medications == "Ibuprofen 400 mg as needed"
    visits = list(Visit.objects.filter(client=client).order_by("started_at"))
    assert [v.started_at for v in visits] == [at(10), at(60 * 24 * 7)]
    assert all(v.therapist == people.bob for v in visits)
    palpation = PalpationFinding.objects.get(visit=visits[0])
    assert (palpation.tender, palpation.taut_band, palpation.jump, float(palpation.ppt)) == (
        6,
        True,
        True,
        2.5,
    )
    assert MovementFinding.objects.get(visit=visits[0]).note == "hamstrings first"
    original = list(
        PlanStep.objects.filter(visit=record.signed_visit).values_list(
            "trigger_point", "technique", "hold_seconds", "reason"
        )
    )
    assert (
        list(
            PlanStep.objects.filter(visit=visits[0]).values_list(
                "trigger_point", "technique", "hold_seconds", "reason"
            )
        )
        == original
    )
    run = SessionRun.objects.get(visit=visits[0])
    holds = session_record(session_queries.replayed(run, load_default())).holds
    assert [(h.start, h.end, h.pressure) for h in holds] == [
        (at(15.5), at(16), "moderate"), (at(16.5), at(17), "light")
    ]  # fmt: skip
    signed = list(NoteVersion.objects.filter(note__visit=visits[0]).order_by("number"))
    assert [(v.number, v.signed_at, v.signed_by) for v in signed] == [
        (1, at(23), people.bob),
        (2, at(32), people.bob),
    ]
    assert signed[1].amendment_reason == AMENDMENT
    assert signed[1].objective.endswith("Left hip flexors short on Thomas test.")
    assert "Thomas test" not in signed[0].objective
    draft = NoteVersion.objects.get(note__visit=visits[1])
    assert draft.signed_at is None
    assert draft.objective == visit_queries.latest_version(record.draft_visit).objective  # type: ignore[union-attr]

    scores = QuestionnaireResponse.objects.filter(client=client).order_by("taken_at")
    assert [(r.instrument, r.total, r.visit_id, r.taken_at) for r in scores] == [
        ("nprs", 7, visits[0].pk, at(9)),
        ("psfs", 5, None, at(60 * 24 * 7 - 5)),
    ]
    assert scores[1].activities[:2] == ["gardening", "lifting"]

    again = exported(people.bob)
    assert comparable(again) == comparable(first)


def test_a_dry_run_reports_each_item_and_writes_nothing(record: Record, people: People) -> None:
    first = exported(people.alice, record.client.pk)
    events = AuditEvent.objects.count()
    report = import_bundle(people.bob, json.dumps(first), now=NOW, dry_run=True)
    assert report.ok, report.lines()
    lines = report.lines()
    assert any(line.startswith("create  Patient (entry 1): client Dan Marlowe") for line in lines)
    assert any(line.startswith("create  Procedure") for line in lines)
    assert any(line.startswith("skip    ConceptMap") for line in lines)
    assert any(
        line.startswith("skip    Practitioner") and "bob is recorded instead" in line
        for line in lines
    )
    # all but the map, the person, the signatures (written by signing the note) and the
    # scores (computed again from the answers)
    signatures = len(of_type(first, "Provenance")) + len(of_type(first, "QuestionnaireResponse"))
    assert report.count("create") == len(first["entry"]) - 2 - signatures
    assert any(line.startswith("match   Provenance") for line in lines)
    assert not Client.objects.filter(clinic=people.hilltop).exists()
    assert AuditEvent.objects.count() == events


def test_importing_into_the_clinic_that_exported_matches_every_record_by_identifier(
    record: Record, people: People
) -> None:
    first = exported(people.alice, record.client.pk)
    counts = (Client.objects.count(), Visit.objects.count(), PalpationFinding.objects.count())
    report = import_bundle(people.alice, json.dumps(first), now=NOW, dry_run=False)
    assert report.ok, report.lines()
    assert report.count("create") == 0
    assert any(line.startswith("match   Patient (entry 1): client") for line in report.lines())
    assert any("staff member alice" in line for line in report.lines())
    outcomes = {line.split()[0] for line in report.lines()}
    assert outcomes == {"match", "skip"}  # every item accounted for, none created
    assert len(report.items) == len(first["entry"])
    assert (
        Client.objects.count(),
        Visit.objects.count(),
        PalpationFinding.objects.count(),
    ) == counts


def test_an_identifier_naming_someone_else_creates_a_new_client_and_says_so(
    record: Record, people: People
) -> None:
    bundle = exported(people.alice, record.client.pk)
    of_type(bundle, "Patient")[0]["birthDate"] = "1981-05-17"  # not Dan's
    report = import_bundle(people.alice, json.dumps(bundle), now=NOW, dry_run=False)
    assert report.ok, report.lines()
    patient = next(line for line in report.lines() if line.startswith("create  Patient"))
    assert patient.endswith(
        f"its identifier names client {record.client.pk}, who has another name or birth date"
    )
    born = Client.objects.filter(family_name=DAN_FAMILY_NAME).values_list(
        "date_of_birth", flat=True
    )
    assert sorted(born) == [DAN_BORN, dt.date(1981, 5, 17)]
    assert Visit.objects.filter(client__date_of_birth=dt.date(1981, 5, 17)).count() == 2


# ----------------------------------------------------------------------------- refusals
def test_a_malformed_bundle_names_each_problem_and_creates_nothing(
    record: Record, people: People
) -> None:
    bundle = exported(people.alice, record.client.pk)
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    patient["birthDate"] = "the fifth of May"  # a wrong type
    broken = json.loads(json.dumps(bundle))
    broken["entry"].append({"resource": {"resourceType": "Spaceship"}})
    problems = import_bundle(people.bob, json.dumps(broken), now=NOW, dry_run=False).problems
    assert any("Patient): birthDate" in p for p in problems)
    assert any("'Spaceship' is not a FHIR R4 resource type" in p for p in problems)

    patient["birthDate"] = DAN_BORN.isoformat()
    pain = next(r for r in resources if r["resourceType"] == "Observation")
    pain["bodySite"]["coding"][-1]["code"] = "elbow-of-the-knee"  # an unknown code
    encounter = next(r for r in resources if r["resourceType"] == "Encounter")
    encounter["reasonReference"][0]["reference"] = "urn:uuid:not-in-the-bundle"  # missing
    report = import_bundle(people.bob, json.dumps(bundle), now=NOW, dry_run=False)
    assert not report.ok
    assert any("unknown body-map region 'elbow-of-the-knee'" in p for p in report.problems)
    missing = "reasonReference refers to urn:uuid:not-in-the-bundle, which is not in the bundle"
    assert any(p.startswith("Encounter (entry") and missing in p for p in report.problems)
    assert not Client.objects.filter(clinic=people.hilltop).exists()


def test_a_refusal_by_an_action_rolls_the_whole_import_back(record: Record, people: People) -> None:
    bundle = exported(people.alice, record.client.pk)

    # The health data consent left out: the intake is refused, and so is everything.
    def health_data_consent(resource: dict[str, Any]) -> bool:
        kind, ident = resource["resourceType"], resource.get("identifier", [{}])
        return kind == "Consent" and ident[0]["value"].endswith("data_consent")

    bundle["entry"] = [e for e in bundle["entry"] if not health_data_consent(e["resource"])]
    report = import_bundle(people.bob, json.dumps(bundle), now=NOW, dry_run=False)
    assert not report.ok
    assert any(
        p.startswith("Condition (entry") and "health data consent" in p for p in report.problems
    )
    assert not Client.objects.filter(clinic=people.hilltop).exists()
    assert not AuditEvent.objects.filter(clinic=people.hilltop).exists()


def test_the_safety_screening_and_how_the_gate_opened_come_back_on_import(people: People) -> None:
    """A red flag exported is screened again on import (the gate closes) and its referral
    and the clinician's clearance are replayed through the gate's actions; an intake whose
    red flag is still open arrives blocked."""

    alice = people.alice
    gail = client_actions.create_client(
        ctx(alice, 0),
        client_actions.ClientData(
            "Gail", GAIL_FAMILY_NAME, GAIL_BORN, treatment_consent=True, data_consent=True
        ),
    )
    flagged = {"cauda-equina-bladder": True}
    cleared = client_actions.record_intake(
        ctx(alice, 1),
        gail,
        client_actions.IntakeData("Back pain and trouble passing urine", red_flag_answers=flagged),
    )
    client_actions.record_referral(ctx(alice, 2), cleared, "Sent to the emergency department")
    client_actions.record_flag_clearance(
        ctx(alice, 60 * 24),
        cleared,
        client_actions.FlagClearanceData(
            "Dr Patel, emergency department", at(60 * 24).date(), "MRI normal, no cauda equina"
        ),
    )
    client_actions.record_intake(
        ctx(alice, 60 * 48),
        gail,
        client_actions.IntakeData("Numbness between the legs again", red_flag_answers=flagged),
    )
    first = exported(alice, gail.pk)
    report = import_bundle(people.bob, json.dumps(first), now=NOW, dry_run=False)
    assert report.ok, report.lines()

    stored = list(Intake.objects.filter(client__clinic=people.hilltop).order_by("recorded_at"))
    assert [i.gate for i in stored] == [Intake.Gate.CLEARED, Intake.Gate.BLOCKED]
    assert stored[0].red_flag_answers == flagged
    assert stored[0].gate_note == "Sent to the emergency department"
    assert (stored[0].flag_clearance_from, stored[0].flag_clearance_at) == (
        "Dr Patel, emergency department",
        at(60 * 24),
    )
    assert any("the safety gate opened again: cleared" in line for line in report.lines())
    assert comparable(exported(people.bob)) == comparable(first)
