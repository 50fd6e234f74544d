"""The code systems, identifier systems and extensions Myomap's FHIR resources use.

Terminology codes are the published ones (SNOMED CT, LOINC, HL7's own code systems);
Myomap's own vocabularies (body-map regions, trigger points, techniques, examination
tests) are named by `urn:myomap:` systems whose codes are the knowledge base's stable ids.
An identifier's value is the record's number in the installation that exported it."""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
AUDIT_ENTITY = "http://terminology.hl7.org/CodeSystem/audit-entity-type"  # 1: a person

# Myomap's own vocabularies: the code is the knowledge base's id.
REGION = "urn:myomap:region"
TRIGGER_POINT = "urn:myomap:trigger-point"
TECHNIQUE = "urn:myomap:technique"
EXAM_TEST = "urn:myomap:exam-test"
FINDING = "urn:myomap:finding"  # the kinds of observation and their components
SIDE = "urn:myomap:side"  # left, right, bilateral, midline (the client's)
PRESSURE = "urn:myomap:pressure"
INSTRUMENT = "urn:myomap:instrument"  # an outcome questionnaire (instruments.yaml)
SUBSCALE = "urn:myomap:instrument-subscale"


def identifier_system(kind: str) -> str:
    """The system of the identifiers of one kind of record: client, intake, visit, ..."""
    return f"urn:myomap:id:{kind}"


ID_KINDS = (
    "client",
    "consent",
    "intake",
    "pain",
    "visit",
    "palpation",
    "movement",
    "plan",
    "hold",
    "note",
    "response",
    "user",
)

# Extensions Myomap defines (values in its own terms, for a lossless round trip).
EXT = "urn:myomap:extension:"
EXT_LATERALITY = EXT + "laterality"  # on a bodySite: the client's side, SNOMED coded
EXT_HISTORY = EXT + "history"  # on the Condition: the history told at intake
EXT_MEDICATIONS = EXT + "medications"  # on the Condition: medicines, as told
EXT_SCREENING = EXT + "screening"  # on the Condition: the intake's answers, one each
EXT_GATE = EXT + "safety-gate"  # on the Condition: the gate's state and how it opened
# The answer sets of an intake, as the screening extension's sub-extension prefixes.
ANSWERS = {
    "red-flag": "red_flag_answers",
    "contraindication": "contraindication_answers",
    "factor": "factor_answers",
}
EXT_CONSENT_HOW = EXT + "consent-how"  # written or verbal
EXT_CONSENT_NOTE = EXT + "consent-note"
EXT_PLAN_STEP = EXT + "plan-step"  # on a CarePlan activity: the step, in sub-extensions
EXT_PRESSURE = EXT + "pressure"  # on a Procedure (a hold): light, moderate, firm
EXT_HOLD_NUMBER = EXT + "hold-number"
EXT_NOTE_VERSION = EXT + "note-version"  # on a Composition: the version's number
EXT_AMENDMENT_REASON = EXT + "amendment-reason"  # on a Composition: why it was amended
EXT_ACTIVITY = EXT + "activity"  # on a questionnaire item: the PSFS activity, as said
# on a questionnaire response entered in error (status entered-in-error): why it was voided
EXT_VOID_REASON = EXT + "void-reason"

# SNOMED CT qualifiers for the side of a body site.
LATERALITY: dict[str, tuple[str, str]] = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "bilateral": ("51440002", "Right and left"),
}
LATERALITY_SIDES = {code: side for side, (code, _) in LATERALITY.items()}

PAIN = (SNOMED, "22253000", "Pain")
PAIN_SEVERITY = (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
PROGRESS_NOTE = (LOINC, "11506-3", "Progress note")
SECTIONS: dict[str, tuple[str, str]] = {
    "subjective": ("61150-9", "Subjective"),
    "objective": ("61149-1", "Objective"),
    "assessment": ("51848-0", "Assessment"),
    "plan": ("18776-5", "Plan of care"),
}
SECTION_FIELDS = {code: name for name, (code, _) in SECTIONS.items()}
POSITIVE = ("10828004", "Positive")
NEGATIVE = ("260385009", "Negative")
CONSENT_CATEGORY = (LOINC, "59284-0", "Patient Consent")
CONSENT_SCOPES = {"treatment_consent": "treatment", "data_consent": "patient-privacy"}
CONSENT_KINDS = {scope: name for name, scope in CONSENT_SCOPES.items()}

# The components of a palpation finding: (code, display).
PALPATION = ("palpation", "Trigger point palpation")
MOVEMENT = ("movement", "Posture or movement test")
TENDER = ("tender", "Tenderness 0-10")
FLAGS = {
    "taut_band": ("taut-band", "Taut band"),
    "referral": ("referral", "Referral of the familiar pain"),
    "twitch": ("twitch", "Local twitch response"),
    "jump": ("jump", "Jump sign"),
}
PPT = ("ppt", "Pressure pain threshold")
PPT_UNIT = "kg/cm2"
