"""The FHIR export: a client's record (or every client's) as R4 resources built with the
R4B models, in a collection Bundle; a signed note as a document Bundle headed by its
Composition. Every resource is validated by the models as it is built."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from fhir.resources.R4B.auditevent import (
    AuditEvent,
    AuditEventAgent,
    AuditEventEntity,
    AuditEventSource,
)
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.conceptmap import (
    ConceptMap,
    ConceptMapGroup,
    ConceptMapGroupElement,
    ConceptMapGroupElementTarget,
)
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.consent import Consent, ConsentVerification
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource

from myomap.clients.models import CONSENTS, Client, Intake
from myomap.core.kb import load_default
from myomap.core.kb.loader import KnowledgeBase
from myomap.interop import codes, fhir_outcomes
from myomap.interop.build import (
    concept,
    ext,
    full_url,
    identifier,
    ref,
    region_site,
    resource_id,
    when,
)
from myomap.interop.fhir_visit import VisitResources
from myomap.interop.gather import ClientRows, VisitRows


class Exporter(VisitResources):
    """Builds the resources of the clients given, and the Practitioners they refer to."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb or load_default()
        self.people: dict[int, Any] = {}

    # ------------------------------------------------------------------ people
    def person(self, user: Any) -> Any:
        """A reference to the user as a Practitioner (the resource is added once)."""
        rid = resource_id("user", user.pk)
        if user.pk not in self.people:
            self.people[user.pk] = Practitioner(
                id=rid,
                identifier=[identifier("user", user.get_username())],
                name=[
                    HumanName(
                        family=user.last_name or None,
                        given=[user.first_name] if user.first_name else None,
                        text=user.get_full_name() or user.get_username(),
                    )
                ],
            )
        return ref(rid, user.get_full_name() or user.get_username())

    # ------------------------------------------------------------------ the client
    def patient(self, client: Client) -> Patient:
        telecom = []
        if client.email:
            telecom.append(ContactPoint(system="email", value=client.email))
        if client.phone:
            telecom.append(ContactPoint(system="phone", value=client.phone))
        return Patient(
            id=resource_id("client", client.pk),
            identifier=[identifier("client", client.pk)],
            name=[HumanName(use="official", family=client.family_name, given=[client.given_name])],
            birthDate=client.date_of_birth,
            telecom=telecom or None,
        )

    def consents(self, client: Client) -> list[Consent]:
        out = []
        for name in CONSENTS:
            at = getattr(client, f"{name}_at")
            if at is None:
                continue
            by = getattr(client, f"{name}_by")
            extensions = [
                ext(codes.EXT_CONSENT_HOW, valueCode=getattr(client, f"{name}_how") or "written")
            ]
            note = getattr(client, f"{name}_note")
            if note:
                extensions.append(ext(codes.EXT_CONSENT_NOTE, valueString=note))
            scope = codes.CONSENT_SCOPES[name]
            patient = resource_id("client", client.pk)
            verified = (
                [
                    ConsentVerification(
                        verified=True, verifiedWith=self.person(by), verificationDate=when(at)
                    )
                ]
                if by is not None
                else None
            )
            out.append(
                Consent(
                    id=resource_id("consent", f"{client.pk}/{name}"),
                    identifier=[identifier("consent", f"{client.pk}/{name}")],
                    extension=extensions,
                    status="active",
                    scope=concept(codes.CONSENT_SCOPE, scope, text=f"{CONSENTS[name]} consent"),
                    category=[concept(*codes.CONSENT_CATEGORY)],
                    patient=ref(patient),
                    dateTime=when(at),
                    performer=[ref(patient)],
                    policyRule=concept(codes.ACT_CODE, "OPTIN", "opt-in"),
                    verification=verified,
                )
            )
        return out

    def condition(self, intake: Intake) -> Condition:
        extensions = []
        if intake.history:
            extensions.append(ext(codes.EXT_HISTORY, valueString=intake.history))
        if intake.medications:
            extensions.append(ext(codes.EXT_MEDICATIONS, valueString=intake.medications))
        extensions += _screening(intake)
        return Condition(
            id=resource_id("intake", intake.pk),
            identifier=[identifier("intake", intake.pk)],
            extension=extensions or None,
            clinicalStatus=concept(codes.CONDITION_CLINICAL, "active"),
            code=concept(*codes.PAIN, text=intake.complaint),
            subject=ref(resource_id("client", intake.client_id)),
            recordedDate=when(intake.recorded_at),
            recorder=self.person(intake.recorded_by),
        )

    def pains(self, intake: Intake) -> list[Observation]:
        """One Observation per region of the pain drawing, in the body map's order."""
        drawing = intake.drawing
        out = []
        for region in (r for r in self.kb.regions if r in drawing):
            key = f"{intake.pk}/{region}"
            out.append(
                Observation(
                    id=resource_id("pain", key),
                    identifier=[identifier("pain", key)],
                    status="final",
                    category=[concept(codes.OBSERVATION_CATEGORY, "survey", "Survey")],
                    code=concept(*codes.PAIN_SEVERITY, text="Pain in the region, 0-10"),
                    subject=ref(resource_id("client", intake.client_id)),
                    focus=[ref(resource_id("intake", intake.pk))],
                    effectiveDateTime=when(intake.recorded_at),
                    valueInteger=int(drawing[region]),
                    bodySite=region_site(self.kb, region),
                )
            )
        return out

    # ------------------------------------------------------------------ everything
    def client_resources(self, rows: ClientRows) -> list[Resource]:
        out: list[Resource] = [self.patient(rows.client), *self.consents(rows.client)]
        for intake in rows.intakes:
            out += [self.condition(intake), *self.pains(intake)]
        for v in rows.visits:
            out.append(self.encounter(v))
            out += [self.palpation(v.visit, p) for p in v.visit.palpations.all()]
            out += [self.movement(v.visit, m) for m in v.visit.movements.all()]
            if (plan := self.care_plan(v.visit)) is not None:
                out.append(plan)
            out += self.procedures(v)
            before = None
            for version in v.versions:
                out.append(self.composition(v.visit, version, before))
                if version.is_signed:
                    out.append(self.provenance(version))
                before = version
        for response in rows.responses:
            if response.instrument in self.kb.instruments:  # read tolerantly
                out.append(fhir_outcomes.questionnaire_response(self.kb, self.person, response))
                out.append(fhir_outcomes.score(self.kb, response))
        return out

    def export_event(self, by: Any, now: dt.datetime, patients: list[Resource]) -> AuditEvent:
        """The export itself, as DICOM's "Export" event: who, when, whose records."""
        return AuditEvent(
            id=resource_id("export", now.isoformat()),
            type=Coding(system=codes.DICOM, code="110106", display="Export"),
            action="R",
            recorded=when(now),
            outcome="0",
            agent=[AuditEventAgent(who=self.person(by), requestor=True)],
            source=AuditEventSource(observer=Reference(display="Myomap")),
            entity=[
                AuditEventEntity(
                    what=ref(str(p.id)), type=Coding(system=codes.AUDIT_ENTITY, code="1")
                )
                for p in patients
            ]
            or None,
        )

    def concept_map(self) -> ConceptMap:
        """Myomap's body-map regions to SNOMED CT body structures: each region lies within
        its structure, so the target is wider; a region with no code is unmatched."""
        elements = []
        for region in self.kb.regions.values():
            target = (
                ConceptMapGroupElementTarget(code=region.snomed, equivalence="wider")
                if region.snomed
                else ConceptMapGroupElementTarget(
                    equivalence="unmatched", comment="no SNOMED CT code recorded yet"
                )
            )
            elements.append(
                ConceptMapGroupElement(code=region.id, display=region.name, target=[target])
            )
        return ConceptMap(
            id=resource_id("conceptmap", "regions"),
            url="urn:myomap:conceptmap:regions-to-snomed",
            name="MyomapRegionsToSnomedCT",
            title="Myomap body-map regions to SNOMED CT body structures",
            status="active",
            sourceUri=codes.REGION,
            targetUri=codes.SNOMED,
            group=[ConceptMapGroup(source=codes.REGION, target=codes.SNOMED, element=elements)],
        )


def entries(resources: Iterable[Resource]) -> list[BundleEntry]:
    return [BundleEntry(fullUrl=full_url(str(r.id)), resource=r) for r in resources]


def collection(clients: Iterable[ClientRows], now: dt.datetime, by: Any = None) -> Bundle:
    """Every resource of these clients, the Practitioners they name and the ConceptMap;
    with `by` (who exports), an AuditEvent of the export itself."""
    exporter = Exporter()
    resources: list[Resource] = []
    patients = []
    for rows in clients:
        found = exporter.client_resources(rows)
        patients.append(found[0])
        resources += found
    if by is not None:
        resources.append(exporter.export_event(by, now, patients))
    resources += list(exporter.people.values())
    resources.append(exporter.concept_map())
    return Bundle(type="collection", timestamp=when(now), entry=entries(resources))


def stream(clients: Iterable[ClientRows], now: dt.datetime, by: Any) -> Iterator[bytes]:
    """The same collection Bundle as `collection`, as JSON written one entry at a time, so
    only one client's resources are in memory at once (a whole clinic's download). Each
    entry is a model built and validated as `collection` builds it; the Bundle's own
    elements are the model's too, its entries spliced in."""
    exporter = Exporter()
    envelope = Bundle(type="collection", timestamp=when(now)).model_dump_json()
    yield envelope[:-1].encode("utf-8") + b',"entry":['
    patients: list[Resource] = []
    first = True
    for rows in clients:
        found = exporter.client_resources(rows)
        patients.append(found[0])
        for entry in entries(found):
            yield (b"" if first else b",") + entry.model_dump_json().encode("utf-8")
            first = False
    tail = [exporter.export_event(by, now, patients), *exporter.people.values()]
    for entry in entries([*tail, exporter.concept_map()]):
        yield (b"" if first else b",") + entry.model_dump_json().encode("utf-8")
        first = False
    yield b"]}"


def document(rows: ClientRows, visit_rows: VisitRows, now: dt.datetime) -> Bundle:
    """A signed note as a FHIR document: its Composition first, then what it refers to."""
    version = visit_rows.signed
    assert version is not None, "only a signed note is a document"
    exporter = Exporter()
    composition = exporter.composition(visit_rows.visit, version)
    resources: list[Resource] = [
        composition,
        exporter.patient(rows.client),
        exporter.encounter(visit_rows),
        exporter.provenance(version),
    ]
    resources += list(exporter.people.values())
    return Bundle(
        type="document",
        identifier=identifier("note", version.pk),
        timestamp=when(now),
        entry=entries(resources),
    )


def _screening(intake: Intake) -> list[Any]:
    """The intake's answers and the safety gate's state, so an import screens it again
    and replays how the gate was opened (referral, override, clearances)."""
    answers = []
    for prefix, name in codes.ANSWERS.items():
        for key, value in sorted(getattr(intake, name).items()):
            typed = {"valueBoolean": value} if isinstance(value, bool) else {"valueInteger": value}
            answers.append(ext(f"{prefix}:{key}", **typed))
    out = [ext(codes.EXT_SCREENING, extension=answers)] if answers else []
    gate = [ext("state", valueCode=intake.gate)]
    fields = (
        ("note", "gate_note", "valueString"),
        ("at", "gate_at", "valueDateTime"),
        ("cleared-by", "flag_clearance_from", "valueString"),
        ("cleared-on", "flag_clearance_on", "valueDate"),
        ("clinician-said", "flag_clearance_note", "valueString"),
        ("clearance-at", "flag_clearance_at", "valueDateTime"),
        ("doctor-clearance", "clearance_note", "valueString"),
        ("doctor-clearance-at", "clearance_at", "valueDateTime"),
    )
    for url, attr, kind in fields:
        value = getattr(intake, attr)
        if value:
            gate.append(ext(url, **{kind: when(value) if kind == "valueDateTime" else value}))
    if intake.gate != Intake.Gate.CLEAR or intake.clearance_note:
        out.append(ext(codes.EXT_GATE, extension=gate))
    return out
