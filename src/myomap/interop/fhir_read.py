"""Reading a Bundle for import: the JSON, each entry's resource validated by the R4B
models (every problem collected, with where it is), and the index its references
resolve through (an entry's fullUrl, or `Type/id`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

BUNDLE_TYPES = ("collection", "document", "transaction", "batch", "searchset", "message")


@dataclass(frozen=True)
class Entry:
    number: int  # 1-based, as the report names it
    resource: Any  # an R4B model instance

    @property
    def kind(self) -> str:
        return str(self.resource.get_resource_type())

    @property
    def label(self) -> str:
        return f"{self.kind} (entry {self.number})"


@dataclass
class Read:
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    by_reference: dict[str, Entry] = field(default_factory=dict)

    def target(self, reference: Any) -> Entry | None:
        """The entry a Reference points to, or None (missing, or outside the bundle)."""
        text = getattr(reference, "reference", None)
        return self.by_reference.get(text) if text else None


def read_bundle(text: str) -> Read:
    """Parse and validate; `problems` names each fault (nothing is imported if any)."""
    out = Read()
    try:
        data = json.loads(text)
    except ValueError as exc:
        out.problems.append(f"the file is not JSON: {exc}")
        return out
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        found = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        out.problems.append(f"expected a FHIR Bundle, found {found!r}")
        return out
    if data.get("type") not in BUNDLE_TYPES:
        out.problems.append(
            f"Bundle.type {data.get('type')!r} is not one of {', '.join(BUNDLE_TYPES)}"
        )
    raw = data.get("entry", [])
    if not isinstance(raw, list):
        out.problems.append("Bundle.entry must be a list")
        return out
    for number, item in enumerate(raw, start=1):
        entry = _entry(number, item, out.problems)
        if entry is None:
            continue
        out.entries.append(entry)
        full_url = item.get("fullUrl")
        for key in (full_url, f"{entry.kind}/{entry.resource.id}" if entry.resource.id else None):
            if key:
                out.by_reference[key] = entry
    return out


def _entry(number: int, item: Any, problems: list[str]) -> Entry | None:
    where = f"entry {number}"
    if not isinstance(item, dict) or not isinstance(item.get("resource"), dict):
        problems.append(f"{where}: has no resource")
        return None
    data = item["resource"]
    kind = data.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except (ValueError, KeyError):
        problems.append(f"{where}: {kind!r} is not a FHIR R4 resource type")
        return None
    try:
        return Entry(number, model.model_validate(data))
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(p) for p in error["loc"])
            problems.append(f"{where} ({kind}): {path or 'resource'}: {error['msg']}")
    except (ValueError, TypeError, KeyError) as exc:  # a contained resource of no known type
        problems.append(f"{where} ({kind}): {exc}")
    return None


def moment(value: Any, fallback: dt.datetime) -> dt.datetime:
    """A FHIR dateTime as an aware datetime (a bare date is its midnight, UTC); the
    fallback when there is none."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return fallback


def codes_of(concept: Any, system: str) -> list[str]:
    """The codes of one system in a CodeableConcept (or a list of them)."""
    if concept is None:
        return []
    if isinstance(concept, list):
        return [c for one in concept for c in codes_of(one, system)]
    return [c.code for c in (concept.coding or []) if c.system == system and c.code]


def extension(element: Any, url: str) -> Any:
    """The first extension of `element` with this url, or None."""
    for found in getattr(element, "extension", None) or []:
        if found.url == url:
            return found
    return None


def identifier_value(resource: Any, system: str) -> str | None:
    found = getattr(resource, "identifier", None)
    items = found if isinstance(found, list) else [found] if found is not None else []
    for item in items:
        if item.system == system and item.value:
            return str(item.value)
    return None
