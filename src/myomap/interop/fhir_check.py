"""What each entry of a Bundle is to Myomap, and the problems that refuse the import
before anything is written: references to resources not in the bundle, unknown codes,
missing values the records need. Resources Myomap does not hold are reported, not refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.vocab import POINT_SIDES, PRESSURES
from myomap.interop import codes, fhir_outcomes
from myomap.interop.fhir_read import Entry, Read, codes_of, extension

# Resource types Myomap holds nothing of, with the word the report uses.
NOT_HELD = "Myomap holds no {kind} records"
OBSERVATION_NOT_HELD = (
    "Myomap holds no observation of this kind (only pain in a body-map region, "
    "trigger point palpation and posture or movement tests)"
)


@dataclass(frozen=True)
class Sorted:
    """The entries by what they become, and what is skipped (entry, why)."""

    kinds: dict[int, str]  # entry number -> patient, consent, condition, pain, ...
    skipped: list[tuple[Entry, str]]
    problems: list[str]


def kind_of(entry: Entry) -> str | None:
    r, kind = entry.resource, entry.kind
    simple = {
        "Patient": "patient",
        "Consent": "consent",
        "Condition": "condition",
        "Encounter": "encounter",
        "CarePlan": "plan",
        "Procedure": "hold",
        "Composition": "note",
        "Provenance": "signature",
        "Practitioner": "person",
        "ConceptMap": "map",
        "AuditEvent": "log",
    }
    if kind == "QuestionnaireResponse":
        return "questionnaire" if fhir_outcomes.instrument_of(r) else None
    if kind == "Observation":
        if codes_of(r.code, codes.INSTRUMENT):
            return "score"
        if codes_of(r.code, codes.LOINC) == [codes.PAIN_SEVERITY[1]] and codes_of(
            r.bodySite, codes.REGION
        ):
            return "pain"
        if codes.PALPATION[0] in codes_of(r.code, codes.FINDING):
            return "palpation"
        if codes_of(r.code, codes.EXAM_TEST):
            return "movement"
        return None
    return simple.get(kind)


class Checker:
    def __init__(self, read: Read, kb: KnowledgeBase) -> None:
        self.read, self.kb = read, kb
        self.kinds: dict[int, str] = {}
        self.problems: list[str] = []

    def sort(self) -> Sorted:
        skipped: list[tuple[Entry, str]] = []
        for entry in self.read.entries:
            kind = kind_of(entry)
            if kind is None:
                why = OBSERVATION_NOT_HELD if entry.kind == "Observation" else NOT_HELD
                skipped.append((entry, why.format(kind=entry.kind)))
            elif kind == "map":
                skipped.append((entry, "a ConceptMap is reference data: Myomap keeps its own"))
            elif kind == "log":
                skipped.append((entry, "an audit event: Myomap keeps its own audit log"))
            else:
                self.kinds[entry.number] = kind
        for entry in self.read.entries:
            check = getattr(self, f"_{self.kinds.get(entry.number)}", None)
            if check is not None:
                check(entry, entry.resource)
        return Sorted(self.kinds, skipped, self.problems)

    # ------------------------------------------------------------------ helpers
    def problem(self, entry: Entry, message: str) -> None:
        self.problems.append(f"{entry.label}: {message}")

    def link(self, entry: Entry, reference: Any, want: str, what: str) -> Entry | None:
        """The entry `reference` points to, which must be of kind `want`."""
        if reference is None:
            self.problem(entry, f"{what} is missing")
            return None
        target = self.read.target(reference)
        if target is None:
            shown = getattr(reference, "reference", None) or "nothing"
            self.problem(entry, f"{what} refers to {shown}, which is not in the bundle")
            return None
        if self.kinds.get(target.number) != want:
            self.problem(entry, f"{what} refers to {target.label}, not a {want}")
            return None
        return target

    def known(self, entry: Entry, found: list[str], table: Any, what: str) -> str | None:
        if not found:
            self.problem(entry, f"no {what} code")
            return None
        if found[0] not in table:
            self.problem(entry, f"unknown {what} {found[0]!r}")
            return None
        return found[0]

    # ------------------------------------------------------------------ each kind
    def _patient(self, entry: Entry, r: Any) -> None:
        name = (r.name or [None])[0]
        if name is None or not name.family or not name.given or r.birthDate is None:
            self.problem(entry, "a client needs a family name, a given name and a birth date")

    def _consent(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.patient, "patient", "patient")
        scopes = codes_of(r.scope, codes.CONSENT_SCOPE)
        if not scopes or scopes[0] not in codes.CONSENT_KINDS:
            self.problem(entry, "scope must be treatment or patient-privacy (health data)")
        how = extension(r, codes.EXT_CONSENT_HOW)
        if how is not None and how.valueCode not in ("written", "verbal"):
            self.problem(entry, f"unknown way of giving consent {how.valueCode!r}")

    def _condition(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.subject, "patient", "subject")
        if r.code is None or not (r.code.text or any(c.display for c in r.code.coding or [])):
            self.problem(entry, "code has no text: the complaint is needed")

    def _pain(self, entry: Entry, r: Any) -> None:
        self.link(entry, (r.focus or [None])[0], "condition", "focus")
        self.known(entry, codes_of(r.bodySite, codes.REGION), self.kb.regions, "body-map region")
        if r.valueInteger is None:
            self.problem(entry, "valueInteger (the pain 0-10) is missing")

    def _encounter(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.subject, "patient", "subject")
        self.link(entry, (r.reasonReference or [None])[0], "condition", "reasonReference")
        if r.period is None or r.period.start is None:
            self.problem(entry, "period.start (when the visit began) is missing")

    def _palpation(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.encounter, "encounter", "encounter")
        site = r.bodySite
        self.known(
            entry, codes_of(site, codes.TRIGGER_POINT), self.kb.trigger_points, "trigger point"
        )
        self.known(entry, codes_of(site, codes.SIDE), POINT_SIDES, "side")

    def _movement(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.encounter, "encounter", "encounter")
        self.known(entry, codes_of(r.code, codes.EXAM_TEST), self.kb.exam_tests, "examination test")
        found = codes_of(r.valueCodeableConcept, codes.SNOMED)
        if not found or found[0] not in (codes.POSITIVE[0], codes.NEGATIVE[0]):
            self.problem(entry, "the result must be SNOMED CT positive or negative")

    def _plan(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.encounter, "encounter", "encounter")
        for number, activity in enumerate(r.activity or [], start=1):
            detail = activity.detail
            step = extension(detail, codes.EXT_PLAN_STEP) if detail is not None else None
            if step is None:
                self.problem(entry, f"activity {number} is not a Myomap plan step")
                continue
            parts = {e.url: e for e in step.extension or []}
            point = getattr(parts.get("trigger-point"), "valueCode", None)
            if point not in self.kb.trigger_points:
                self.problem(entry, f"activity {number}: unknown trigger point {point!r}")
            technique = codes_of(detail.code, codes.TECHNIQUE)
            if not technique or technique[0] not in self.kb.techniques:
                self.problem(entry, f"activity {number}: unknown technique {technique[:1]}")

    def _hold(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.encounter, "encounter", "encounter")
        self.known(entry, codes_of(r.code, codes.TECHNIQUE), self.kb.techniques, "technique")
        site = (r.bodySite or [None])[0]
        self.known(
            entry, codes_of(site, codes.TRIGGER_POINT), self.kb.trigger_points, "trigger point"
        )
        pressure = extension(r, codes.EXT_PRESSURE)
        if pressure is None or pressure.valueCode not in PRESSURES:
            self.problem(entry, "the hold's pressure (light, moderate or firm) is missing")
        period = r.performedPeriod
        if period is None or period.start is None or period.end is None:
            self.problem(entry, "performedPeriod needs the hold's start and end")

    def _note(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.encounter, "encounter", "encounter")
        if not any(codes_of(s.code, codes.LOINC) for s in r.section or []):
            self.problem(entry, "no SOAP section (Subjective, Objective, Assessment, Plan)")

    def _questionnaire(self, entry: Entry, r: Any) -> None:
        self.link(entry, r.subject, "patient", "subject")
        if r.encounter is not None:
            self.link(entry, r.encounter, "encounter", "encounter")
        instrument = self.kb.instruments.get(fhir_outcomes.instrument_of(r) or "")
        if instrument is None:
            self.problem(entry, f"unknown questionnaire {r.questionnaire!r}")
            return
        known = {item.id for item in instrument.items}
        for item in r.item or []:
            if item.linkId not in known:
                self.problem(entry, f"{instrument.short} has no item {item.linkId!r}")

    def _score(self, entry: Entry, r: Any) -> None:
        self.link(entry, (r.derivedFrom or [None])[0], "questionnaire", "derivedFrom")

    def _signature(self, entry: Entry, r: Any) -> None:
        self.link(entry, (r.target or [None])[0], "note", "target")
