"""Outcome questionnaires in FHIR: each response as a QuestionnaireResponse (one item per
question, the answer as given; the questionnaire named `urn:myomap:instrument:<id>`) and
its score as an Observation with the instrument's LOINC codes, derived from the response.
On import the response is recorded through `outcomes.actions.record_response`, which
scores it again; the score Observation is then the same and is not imported itself. A
voided response goes out as entered in error with its reason, and comes back voided."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.observation import Observation, ObservationComponent
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)

from myomap.core.kb.loader import KnowledgeBase
from myomap.interop import codes
from myomap.interop.build import coding, concept, ext, identifier, ref, resource_id, when
from myomap.outcomes.models import QuestionnaireResponse as Response

SYSTEMS = {"loinc": codes.LOINC}
QUESTIONNAIRE = "urn:myomap:instrument:"


def questionnaire_response(kb: KnowledgeBase, person: Any, r: Response) -> QuestionnaireResponse:
    instrument = kb.instruments[r.instrument]
    items = []
    for index, item in enumerate(instrument.items):
        value = r.answers[index] if index < len(r.answers) else None
        said = r.activities[index] if index < len(r.activities) else ""
        answer = None
        if value is not None:
            typed = (
                {"valueInteger": value} if float(value).is_integer() else {"valueDecimal": value}
            )
            answer = [QuestionnaireResponseItemAnswer(**typed)]
        items.append(
            QuestionnaireResponseItem(
                linkId=item.id,
                text=item.label,
                answer=answer,
                extension=[ext(codes.EXT_ACTIVITY, valueString=said)] if said else None,
            )
        )
    return QuestionnaireResponse(
        id=resource_id("response", r.pk),
        identifier=identifier("response", r.pk),
        questionnaire=QUESTIONNAIRE + r.instrument,
        # a voided response is kept, as entered in error, with why
        status="entered-in-error" if r.voided_at is not None else "completed",
        extension=[ext(codes.EXT_VOID_REASON, valueString=r.void_reason)]
        if r.voided_at is not None
        else None,
        subject=ref(resource_id("client", r.client_id)),
        encounter=ref(resource_id("visit", r.visit_id)) if r.visit_id else None,
        authored=when(r.taken_at),
        author=person(r.entered_by),
        item=items,
    )


def score(kb: KnowledgeBase, r: Response) -> Observation:
    instrument = kb.instruments[r.instrument]
    codings = [coding(SYSTEMS[c.system], c.code, c.display) for c in instrument.codes]
    codings.append(coding(codes.INSTRUMENT, instrument.id, instrument.short))
    subscales = [
        ObservationComponent(
            code=concept(codes.SUBSCALE, f"{r.instrument}/{key}"),
            valueQuantity=Quantity(value=Decimal(str(value)), system=codes.UCUM, code="{score}"),
        )
        for key, value in sorted(r.subscales.items())
    ]
    return Observation(
        id=resource_id("score", r.pk),
        status="entered-in-error" if r.voided_at is not None else "final",
        category=[concept(codes.OBSERVATION_CATEGORY, "survey", "Survey")],
        code=CodeableConcept(coding=codings, text=instrument.name),
        subject=ref(resource_id("client", r.client_id)),
        encounter=ref(resource_id("visit", r.visit_id)) if r.visit_id else None,
        effectiveDateTime=when(r.taken_at),
        valueQuantity=Quantity(value=Decimal(str(r.total)), system=codes.UCUM, code="{score}"),
        interpretation=[CodeableConcept(text=r.band)] if r.band else None,
        derivedFrom=[ref(resource_id("response", r.pk))],
        component=subscales or None,
    )


def instrument_of(resource: Any) -> str | None:
    """The instrument id a QuestionnaireResponse answers, if it is one of Myomap's."""
    canonical = str(getattr(resource, "questionnaire", "") or "")
    return canonical[len(QUESTIONNAIRE) :] if canonical.startswith(QUESTIONNAIRE) else None


def void_reason(resource: Any) -> str | None:
    """Why a response entered in error was voided; None for one in use."""
    if getattr(resource, "status", None) != "entered-in-error":
        return None
    for found in resource.extension or []:
        if found.url == codes.EXT_VOID_REASON and found.valueString:
            return str(found.valueString)
    return "entered in error"


def answers_of(resource: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers by item id (None where unanswered) and the PSFS activities by item."""
    answers: dict[str, Any] = {}
    activities: dict[str, str] = {}
    for item in resource.item or []:
        given = (item.answer or [None])[0]
        value = None
        if given is not None:
            value = given.valueInteger if given.valueInteger is not None else given.valueDecimal
        answers[item.linkId] = (
            float(value) if value is not None and not isinstance(value, int) else value
        )
        for found in item.extension or []:
            if found.url == codes.EXT_ACTIVITY and found.valueString:
                activities[item.linkId] = found.valueString
    return answers, activities
