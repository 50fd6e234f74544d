"""Small builders of FHIR datatypes with the R4B models (`fhir.resources.R4B`): a
coded concept, a reference, an identifier, an extension, a body site with its side."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.narrative import Narrative
from fhir.resources.R4B.reference import Reference

from myomap.core.kb.loader import KnowledgeBase
from myomap.interop import codes

# Resource ids are made from the record's kind and number, so the same record gets the
# same id in every export of one installation (and references between them hold).
NAMESPACE = uuid.UUID("5b0b8f0e-3f7c-4a55-9c55-6d796f6d6170")


def resource_id(kind: str, key: object) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{key}"))


def full_url(rid: str) -> str:
    return f"urn:uuid:{rid}"


def ref(rid: str, display: str | None = None) -> Reference:
    return Reference(reference=full_url(rid), display=display)


def coding(system: str, code: str, display: str | None = None) -> Coding:
    return Coding(system=system, code=code, display=display)


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> Any:
    return CodeableConcept(coding=[coding(system, code, display)], text=text)


def identifier(kind: str, value: object) -> Identifier:
    return Identifier(system=codes.identifier_system(kind), value=str(value))


def ext(url: str, **value: Any) -> Extension:
    return Extension(url=url, **value)


def when(moment: dt.datetime | None) -> dt.datetime | None:
    """An instant for the models, which write it with its microseconds (UTC as "Z")."""
    return moment


def laterality(side: str) -> list[Extension]:
    found = codes.LATERALITY.get(side)
    if found is None:
        return []
    return [ext(codes.EXT_LATERALITY, valueCodeableConcept=concept(codes.SNOMED, *found))]


def region_site(kb: KnowledgeBase, region_id: str) -> Any:
    """A body-map region as a bodySite: its SNOMED CT structure where known, Myomap's
    region id, and its side as the laterality qualifier."""
    region = kb.regions[region_id]
    codings = []
    if region.snomed:
        codings.append(coding(codes.SNOMED, region.snomed))
    codings.append(coding(codes.REGION, region.id, region.name))
    return CodeableConcept(coding=codings, text=region.name, extension=laterality(region.side))


def point_site(kb: KnowledgeBase, trigger_point: str, side: str) -> Any:
    """A trigger point on one side as a bodySite (Myomap's id; its side as laterality)."""
    point = kb.trigger_points.get(trigger_point)
    name = point.name if point is not None else trigger_point
    return CodeableConcept(
        coding=[coding(codes.TRIGGER_POINT, trigger_point, name), coding(codes.SIDE, side)],
        text=f"{name} ({side})",
        extension=laterality(side),
    )


def narrative(text: str) -> Narrative:
    """Plain text as a FHIR narrative, its line breaks kept."""
    body = html.escape(text, quote=False)
    return Narrative(
        status="generated", div=f'<div xmlns="http://www.w3.org/1999/xhtml"><pre>{body}</pre></div>'
    )


_PRE = re.compile(r"<pre>(.*)</pre>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def narrative_text(div: str | None) -> str:
    """The plain text of a narrative (as `narrative` writes it, or any other's words)."""
    if not div:
        return ""
    found = _PRE.search(div)
    inner = found.group(1) if found else _TAG.sub(" ", div)
    return html.unescape(inner if found else " ".join(inner.split()))
