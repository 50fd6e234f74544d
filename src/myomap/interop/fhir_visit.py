"""The FHIR resources of a visit: the Encounter, the findings as Observations, the plan as
a CarePlan, the guided session's holds as Procedures, each version of the note as a
Composition and each signature as a Provenance. A part of `fhir_export.Exporter`."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.composition import (
    Composition,
    CompositionAttester,
    CompositionRelatesTo,
    CompositionSection,
)
from fhir.resources.R4B.encounter import Encounter, EncounterParticipant
from fhir.resources.R4B.observation import Observation, ObservationComponent
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.procedure import Procedure, ProcedurePerformer
from fhir.resources.R4B.provenance import Provenance, ProvenanceAgent
from fhir.resources.R4B.quantity import Quantity

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.session.record import HoldRecord
from myomap.interop import codes
from myomap.interop.build import (
    concept,
    ext,
    identifier,
    narrative,
    point_site,
    ref,
    resource_id,
    when,
)
from myomap.interop.gather import VisitRows
from myomap.visits.models import MovementFinding, NoteVersion, PalpationFinding, Visit


class VisitResources:
    """The builders of a visit's resources; `person` refers to a user as a Practitioner."""

    kb: KnowledgeBase

    def person(self, user: Any) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------------ a visit
    def encounter(self, rows: VisitRows) -> Encounter:
        visit = rows.visit
        signed = rows.version is not None and rows.version.is_signed
        return Encounter(
            id=resource_id("visit", visit.pk),
            identifier=[identifier("visit", visit.pk)],
            status="finished" if signed else "in-progress",
            # the element "class", by its Python name
            class_fhir=Coding(system=codes.ACT_CODE, code="AMB", display="ambulatory"),  # type: ignore[call-arg]
            subject=ref(resource_id("client", visit.client_id)),
            participant=[EncounterParticipant(individual=self.person(visit.therapist))],
            period=Period(start=when(visit.started_at)),
            reasonReference=[ref(resource_id("intake", visit.intake_id))],
        )

    def palpation(self, visit: Visit, p: PalpationFinding) -> Observation:
        components = []
        if p.tender is not None:
            components.append(
                ObservationComponent(
                    code=concept(codes.FINDING, *codes.TENDER), valueInteger=p.tender
                )
            )
        for attr, code in codes.FLAGS.items():
            components.append(
                ObservationComponent(
                    code=concept(codes.FINDING, *code), valueBoolean=getattr(p, attr)
                )
            )
        if p.ppt is not None:
            components.append(
                ObservationComponent(
                    code=concept(codes.FINDING, *codes.PPT),
                    valueQuantity=Quantity(
                        value=p.ppt, unit="kg/cm²", system=codes.UCUM, code=codes.PPT_UNIT
                    ),
                )
            )
        return Observation(
            id=resource_id("palpation", p.pk),
            identifier=[identifier("palpation", p.pk)],
            status="final",
            category=[concept(codes.OBSERVATION_CATEGORY, "exam", "Exam")],
            code=concept(codes.FINDING, *codes.PALPATION),
            subject=ref(resource_id("client", visit.client_id)),
            encounter=ref(resource_id("visit", visit.pk)),
            effectiveDateTime=when(p.recorded_at),
            bodySite=point_site(self.kb, p.trigger_point, p.side),
            component=components,
        )

    def movement(self, visit: Visit, m: MovementFinding) -> Observation:
        test = self.kb.exam_tests.get(m.test)
        positive = codes.POSITIVE if m.result == "positive" else codes.NEGATIVE
        return Observation(
            id=resource_id("movement", m.pk),
            identifier=[identifier("movement", m.pk)],
            status="final",
            category=[concept(codes.OBSERVATION_CATEGORY, "exam", "Exam")],
            code=concept(codes.EXAM_TEST, m.test, test.name if test else None),
            subject=ref(resource_id("client", visit.client_id)),
            encounter=ref(resource_id("visit", visit.pk)),
            effectiveDateTime=when(m.recorded_at),
            valueCodeableConcept=concept(codes.SNOMED, *positive, text=m.result),
            bodySite=concept(codes.SIDE, m.side, text=m.side) if m.side else None,
            note=[Annotation(text=m.note)] if m.note else None,
        )

    def care_plan(self, visit: Visit) -> CarePlan | None:
        steps = list(visit.plan_steps.all())
        if not steps:
            return None
        activities = []
        for s in sorted(steps, key=lambda s: (s.order, s.pk)):
            technique = self.kb.techniques.get(s.technique)
            step = ext(
                codes.EXT_PLAN_STEP,
                extension=[
                    ext("trigger-point", valueCode=s.trigger_point),
                    ext("side", valueCode=s.side),
                    ext("pressure", valueCode=s.pressure),
                    ext("hold-seconds", valueInteger=s.hold_seconds),
                    ext("repetitions", valueInteger=s.repetitions),
                ],
            )
            activities.append(
                CarePlanActivity(
                    detail=CarePlanActivityDetail(
                        extension=[step],
                        kind="ServiceRequest",
                        code=concept(
                            codes.TECHNIQUE, s.technique, technique.name if technique else None
                        ),
                        reasonCode=[concept(codes.TRIGGER_POINT, s.trigger_point, text=s.reason)]
                        if s.reason
                        else None,
                        status="not-started",
                        description=_step_words(s),
                    )
                )
            )
        return CarePlan(
            id=resource_id("plan", visit.pk),
            identifier=[identifier("plan", visit.pk)],
            status="active",
            intent="plan",
            title="Treatment plan",
            subject=ref(resource_id("client", visit.client_id)),
            encounter=ref(resource_id("visit", visit.pk)),
            activity=activities,
        )

    def procedures(self, rows: VisitRows) -> list[Procedure]:
        """One Procedure per hold of each guided session: the treated point, technique,
        pressure and its start and end."""
        visit = rows.visit
        out = []
        for run, record in rows.sessions:
            for index, hold in enumerate(record.holds, start=1):
                out.append(self.procedure(visit, run.started_by, f"{run.pk}/{index}", hold))
        return out

    def procedure(self, visit: Visit, by: Any, key: str, hold: HoldRecord) -> Procedure:
        technique = self.kb.techniques.get(hold.technique)
        return Procedure(
            id=resource_id("hold", key),
            identifier=[identifier("hold", key)],
            extension=[
                ext(codes.EXT_PRESSURE, valueCode=hold.pressure),
                ext(codes.EXT_HOLD_NUMBER, valueInteger=hold.number),
            ],
            status="completed" if hold.end is not None else "in-progress",
            code=concept(codes.TECHNIQUE, hold.technique, technique.name if technique else None),
            subject=ref(resource_id("client", visit.client_id)),
            encounter=ref(resource_id("visit", visit.pk)),
            performedPeriod=Period(start=when(hold.start), end=when(hold.end)),
            performer=[ProcedurePerformer(actor=self.person(by))],
            bodySite=[point_site(self.kb, hold.trigger_point, hold.side)],
        )

    # ------------------------------------------------------------------ the note
    def composition(
        self, visit: Visit, version: NoteVersion, before: NoteVersion | None = None
    ) -> Composition:
        """One version of the note; an amendment `replaces` the version `before` it."""
        sections = [
            CompositionSection(
                title=title,
                code=concept(codes.LOINC, code, title),
                text=narrative(getattr(version, name)),
            )
            for name, (code, title) in codes.SECTIONS.items()
            if getattr(version, name).strip()
        ]
        signed = version.is_signed
        extensions = [ext(codes.EXT_NOTE_VERSION, valueInteger=version.number)]
        if version.amendment_reason:
            extensions.append(ext(codes.EXT_AMENDMENT_REASON, valueString=version.amendment_reason))
        replaces = (
            [
                CompositionRelatesTo(
                    code="replaces", targetReference=ref(resource_id("note", before.pk))
                )
            ]
            if before is not None
            else None
        )
        return Composition(
            id=resource_id("note", version.pk),
            extension=extensions,
            relatesTo=replaces,
            identifier=identifier("note", version.pk),
            status="final" if signed else "preliminary",
            type=concept(*codes.PROGRESS_NOTE),
            subject=ref(resource_id("client", visit.client_id)),
            encounter=ref(resource_id("visit", visit.pk)),
            date=when(version.signed_at if signed else version.updated_at),
            author=[self.person(version.author)],
            title="SOAP note",
            attester=[
                CompositionAttester(
                    mode="legal", time=when(version.signed_at), party=self.person(version.signed_by)
                )
            ]
            if signed
            else None,
            section=sections or None,
        )

    def provenance(self, version: NoteVersion) -> Provenance:
        return Provenance(
            id=resource_id("signature", version.pk),
            target=[ref(resource_id("note", version.pk))],
            recorded=when(version.signed_at),
            activity=concept(
                "http://terminology.hl7.org/CodeSystem/v3-DataOperation", "CREATE", "create"
            ),
            agent=[
                ProvenanceAgent(
                    type=concept(codes.PROVENANCE_AGENT, "attester", "Attester"),
                    who=self.person(version.signed_by),
                )
            ],
        )


def _step_words(s: Any) -> str:
    return (
        f"{s.trigger_point} ({s.side}): {s.technique}, {s.pressure} pressure, "
        f"{s.hold_seconds} s x {s.repetitions}"
    )
