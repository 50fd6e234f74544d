"""Shared by the clinical-records tests: the personas, one client's full record, and the
table of every URL that shows or changes client data (import it explicitly).

The personas are tests/personas.py's (alice, frank, carol, dan, erin at Lakeside; bob at
Hilltop). The record under test is Dan Marlowe's."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver

from myomap.accounts.models import Clinic, User
from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.clients.models import Client, ClientRevision, Intake, IntakeRevision
from myomap.outcomes.models import QuestionnaireResponse
from myomap.visits import actions as visit_actions
from myomap.visits import queries as visit_queries
from myomap.visits import session_actions
from myomap.visits.models import (
    MovementFinding,
    Note,
    NoteVersion,
    PalpationFinding,
    PlanStep,
    SessionRun,
    Visit,
)
from personas import (
    DAN_BORN,
    DAN_FAMILY_NAME,
    ERIN_BORN,
    ERIN_FAMILY_NAME,
    GAIL_BORN,
    GAIL_FAMILY_NAME,
    people,
)

LOW_BACK = {"lumbar-upper-left": 7, "lumbar-lower-left": 5, "sacrum": 3}
OVERRIDE_REASON = "Client's GP examined him yesterday and cleared treatment in writing."
IP = "203.0.113.7"
MISSING_ID = 987654
# Both consents, given on the new-client form: health data is recorded only with them.
CONSENT = {"treatment_consent": True, "data_consent": True}

# Every URL under these prefixes must be in ENTRIES (or NOT_CLIENT_DATA).
PREFIXES = ("clients/", "visits/", "audit/", "api/")


# ----------------------------------------------------------------------------- personas
PERSONAS = ("anonymous", "bob", "erin", "dan", "alice", "carol")


@dataclass
class World:
    """Lakeside with Dan's record: a clear intake with two visits (one with a draft note,
    findings and a plan; one with a signed note) and an intake blocked by a red flag."""

    lakeside: Clinic
    alice: User
    carol: User
    frank: User
    bob: User
    dan: User
    erin: User
    client: Client
    erin_client: Client
    intake: Intake
    red_intake: Intake
    ask_intake: Intake
    visit: Visit
    signed_visit: Visit
    empty_visit: Visit
    # `build_world(scored=True)`: an NPRS taken at the signed visit, for the URLs of one
    # response (void, correct); None otherwise, so most tests start with no scores.
    response: QuestionnaireResponse | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> dict[str, int]:
        return {
            "revision": self.revision(),
            "client": self.client.pk,
            "intake": self.intake.pk,
            "red_intake": self.red_intake.pk,
            "ask_intake": self.ask_intake.pk,
            "visit": self.visit.pk,
            "signed_visit": self.signed_visit.pk,
            "empty_visit": self.empty_visit.pk,
            "response": self.response.pk if self.response is not None else MISSING_ID,
            "erin_client": self.erin_client.pk,
        }

    def no_session(self) -> None:
        """Without the visit's running session: a note is not signed while one runs."""
        SessionRun.objects.filter(visit=self.visit).delete()

    def revision(self, visit: Visit | None = None) -> int:
        version = visit_queries.latest_version(visit or self.visit)
        assert version is not None
        return version.revision

    def user(self, persona: str) -> User | None:
        return None if persona == "anonymous" else getattr(self, persona)

    def web(self, persona: str) -> Browser:
        browser = Browser(REMOTE_ADDR=IP)
        user = self.user(persona)
        if user is not None:
            browser.force_login(user)
        return browser

    def api(self, persona: str) -> Browser:
        user = self.user(persona)
        if user is None:
            return Browser(REMOTE_ADDR=IP)
        if persona not in self._tokens:
            self._tokens[persona] = ApiToken.issue(user, "tests")[1]
        return Browser(REMOTE_ADDR=IP, headers={"Authorization": f"Bearer {self._tokens[persona]}"})

    def browser_for(self, path: str, persona: str) -> Browser:
        return self.api(persona) if path.startswith("/api/") else self.web(persona)


def build_world(*, scored: bool = False) -> World:
    folk = people()
    lakeside, alice, carol, frank = folk.lakeside, folk.alice, folk.carol, folk.frank
    bob, dan, erin = folk.bob, folk.dan, folk.erin
    ctx = Context(user=alice, via="cli")

    client = client_actions.create_client(
        ctx, client_actions.ClientData("Dan", DAN_FAMILY_NAME, DAN_BORN, **CONSENT)
    )
    Client.objects.filter(pk=client.pk).update(user=dan)
    erin_client = client_actions.create_client(
        ctx, client_actions.ClientData("Erin", ERIN_FAMILY_NAME, ERIN_BORN)
    )
    Client.objects.filter(pk=erin_client.pk).update(user=erin)

    intake = client_actions.record_intake(
        ctx,
        client,
        client_actions.IntakeData(complaint="Low back pain after gardening", pain_drawing=LOW_BACK),
    )
    # Another Lakeside client holds the open red flag: a red flag stops every new visit and
    # plan of its client, and Dan's visits below must stay workable.
    gail = client_actions.create_client(
        ctx, client_actions.ClientData("Gail", GAIL_FAMILY_NAME, GAIL_BORN, **CONSENT)
    )
    red_intake = client_actions.record_intake(
        ctx,
        gail,
        client_actions.IntakeData(
            complaint="Back pain and trouble passing urine",
            pain_drawing=LOW_BACK,
            red_flag_answers={"cauda-equina-bladder": True},
        ),
    )
    assert red_intake.gate == Intake.Gate.BLOCKED

    # An ask-doctor condition waits for the doctor's clearance (no red flag: visits go on).
    ask_intake = client_actions.record_intake(
        ctx,
        client,
        client_actions.IntakeData(
            complaint="Low back pain in pregnancy",
            pain_drawing=LOW_BACK,
            medications="Enoxaparin 40 mg daily injections",
            contraindication_answers={"high-risk-pregnancy": True},
        ),
    )

    visit = visit_actions.start_visit(ctx, client, intake)
    record_findings(ctx, visit)
    visit_actions.propose_plan(ctx, visit)
    # The guided session of the planned visit, at its first point (before the draft, so
    # the draft does not start out behind the record; `no_session` for a test that signs).
    session_actions.start_session(ctx, visit)
    first = session_actions.EventData(
        "tablet-0",
        "go-to-point",
        ctx.now,
        {"trigger_point": "quadratus-lumborum-deep-caudal", "side": "left"},
    )
    session_actions.record_events(ctx, visit, [first])
    draft = visit_actions.draft_note(ctx, visit)
    fields = {f: getattr(draft, f) for f in ("subjective", "objective", "assessment", "plan")}
    # Saved once since drafting, so an earlier revision exists to conflict with.
    visit_actions.save_note(ctx, visit, revision=draft.revision, **fields)

    signed_visit = visit_actions.start_visit(ctx, client, intake)
    record_findings(ctx, signed_visit)
    visit_actions.propose_plan(ctx, signed_visit)
    version = visit_actions.draft_note(ctx, signed_visit)
    visit_actions.sign_note(ctx, signed_visit, revision=version.revision)

    # Started by mistake: nothing recorded in it, so it may be deleted.
    empty_visit = visit_actions.start_visit(ctx, client, intake)
    response = None
    if scored:
        from myomap.outcomes import actions as outcome_actions

        response = outcome_actions.record_response(
            ctx, client, outcome_actions.ResponseData("nprs", [6], visit=signed_visit)
        )

    client.refresh_from_db()
    erin_client.refresh_from_db()
    return World(
        lakeside=lakeside,
        alice=alice,
        carol=carol,
        frank=frank,
        bob=bob,
        dan=dan,
        erin=erin,
        client=client,
        erin_client=erin_client,
        intake=intake,
        red_intake=red_intake,
        ask_intake=ask_intake,
        visit=visit,
        signed_visit=signed_visit,
        empty_visit=empty_visit,
        response=response,
    )


def record_findings(ctx: Context, visit: Visit) -> None:
    visit_actions.record_palpation(
        ctx,
        visit,
        visit_actions.PalpationData(
            "quadratus-lumborum-deep-caudal", "left", tender=6, taut_band=True, referral=True
        ),
    )
    visit_actions.record_movement(ctx, visit, "prone-hip-extension", "left", "positive")


# ----------------------------------------------------------------------------- outcomes
class Outcome(enum.Enum):
    """What a response means for permissions. The one definition every test uses."""

    SIGN_IN = "asked to sign in"  # web: 302 to the login page; API: 401
    FORBIDDEN = "refused: 403"
    NOT_FOUND = "refused: 404 (the same as for a record that does not exist)"
    ALLOWED = "allowed"  # 200/201/204, a 302 elsewhere, or 400/409/422 about the input itself
    UNEXPECTED = "unexpected"


def outcome(response: Any, *, api: bool) -> Outcome:
    status = response.status_code
    to_login = status == 302 and response["Location"].startswith("/accounts/login/")
    if (api and status == 401) or (not api and to_login):
        return Outcome.SIGN_IN
    if status == 403:
        return Outcome.FORBIDDEN
    if status == 404:
        return Outcome.NOT_FOUND
    if status in (200, 201, 204, 400, 409, 422) or (status == 302 and not to_login):
        return Outcome.ALLOWED
    return Outcome.UNEXPECTED


# ----------------------------------------------------------------------------- the table
class Kind(enum.Enum):
    RECORD_READ = "a read of one client's record"
    STAFF_READ = "a staff-only page about one client's record"
    RECORD_WRITE = "a change to one client's record"
    STAFF_LIST = "a staff-only page about the whole clinic"
    CREATE = "creating a client"
    OWN_LIST = "the clients this user may see"
    ACCOUNT = "who the credentials belong to"
    AUDIT = "the clinic's audit log"
    ADMIN = "a clinic admin's page about the clinic's data"
    PORTAL = "a client's own portal (another client reaches only their own)"


A, S, F, N = Outcome.ALLOWED, Outcome.SIGN_IN, Outcome.FORBIDDEN, Outcome.NOT_FOUND
EXPECTED: dict[Kind, dict[str, Outcome]] = {
    #                 anonymous      bob          erin        dan         alice     carol
    Kind.RECORD_READ: dict(zip(PERSONAS, (S, N, N, A, A, A), strict=True)),
    Kind.STAFF_READ: dict(zip(PERSONAS, (S, N, F, F, A, A), strict=True)),
    Kind.RECORD_WRITE: dict(zip(PERSONAS, (S, N, F, F, A, A), strict=True)),
    Kind.STAFF_LIST: dict(zip(PERSONAS, (S, A, F, F, A, A), strict=True)),
    Kind.CREATE: dict(zip(PERSONAS, (S, A, F, F, A, A), strict=True)),
    Kind.OWN_LIST: dict(zip(PERSONAS, (S, A, A, A, A, A), strict=True)),
    Kind.ACCOUNT: dict(zip(PERSONAS, (S, A, A, A, A, A), strict=True)),
    Kind.AUDIT: dict(zip(PERSONAS, (S, F, F, F, F, A), strict=True)),
    Kind.ADMIN: dict(zip(PERSONAS, (S, F, F, F, F, A), strict=True)),
    Kind.PORTAL: dict(zip(PERSONAS, (S, F, A, A, F, F), strict=True)),
}


@dataclass(frozen=True)
class Entry:
    """One method on one URL. `path` names World.ids in braces; `body` is the smallest
    input with which the change succeeds for alice; `audit` the actions it logs."""

    method: str
    path: str
    kind: Kind
    body: Any = None
    audit: tuple[str, ...] = ()
    health_data: bool = True  # a GET that shows health data (and so must be audited)

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    def url(self, ids: dict[str, int]) -> str:
        return self.path.format(**ids)

    def body_for(self, world: World) -> Any:
        return self.body(world) if callable(self.body) else self.body

    def send(self, world: World, persona: str, ids: dict[str, int] | None = None) -> Any:
        url = self.url(ids if ids is not None else world.ids)
        browser = world.browser_for(url, persona)
        body = self.body_for(world)
        if self.method == "GET":
            return browser.get(url)
        if self.api:
            return browser.generic(
                self.method, url, _json(body or {}), content_type="application/json"
            )
        return browser.post(url, body or {})

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _fhir_upload() -> dict[str, Any]:
    """The Data page's upload of a one-patient FHIR Bundle (a new file object each time)."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    patient = {"resourceType": "Patient", "name": [{"family": "Imported", "given": ["Ida"]}]}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
    data = json.dumps(bundle).encode()
    return {"bundle": SimpleUploadedFile("ida.json", data, content_type="application/json")}


def _json(body: Any) -> str:
    import json

    return json.dumps(body)


def _intake_form(world: World) -> dict[str, str]:
    from myomap.clients.forms import IntakeForm

    data = {"complaint": "Neck pain at the desk", "pain_drawing": '{"sacrum": 4}'}
    for name, form_field in IntakeForm().fields.items():
        if form_field.required and name not in data:  # the 0-3 factor scales
            data[name] = "0"
    return data


def _note_form(world: World) -> dict[str, Any]:
    return {
        "revision": world.revision(),
        "subjective": "Better today.",
        "objective": "QL tender on the left.",
        "assessment": "Improving.",
        "plan": "Home stretches.",
        "save": "",
    }


def _session_event(world: World) -> dict[str, Any]:
    return {
        "event_id": "tablet-1",
        "kind": "tenderness",
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "fields": {"when": "before", "value": 6},
    }


def _note_json(world: World) -> dict[str, Any]:
    body = _note_form(world)
    del body["save"]
    return body


STEP = {
    "trigger_point": "quadratus-lumborum-deep-cranial",
    "side": "left",
    "technique": "ischemic-compression",
    "pressure": "moderate",
    "hold_seconds": 20,
    "repetitions": 1,
}
PLAN_FORM = {
    "steps-TOTAL_FORMS": "1",
    "steps-INITIAL_FORMS": "0",
    "steps-MIN_NUM_FORMS": "0",
    "steps-MAX_NUM_FORMS": "50",
} | {f"steps-0-{k}": str(v) for k, v in STEP.items()}
PALPATION = {"trigger_point": "quadratus-lumborum-deep-cranial", "side": "left", "tender": 4}
MOVEMENT = {"test": "prone-hip-extension", "side": "right", "result": "negative"}
NEW_CLIENT = {"given_name": "Nora", "family_name": "Quill", "date_of_birth": "1975-09-30"}
REFERRAL = {"note": "Sent to the ED at St Mary's today."}
FLAG_CLEARANCE = {
    "cleared_by": "Dr Patel, St Mary's emergency department",
    "cleared_on": dt.date.today().isoformat(),
    "said": "Examined today: no cauda equina compression, massage is fine.",
}
CLEARANCE = {"note": "Cleared by her obstetrician, Dr Aziz, by phone today."}
AMEND = {"reason": "Added the home program."}
VOID = {"reason": "Entered for the wrong client."}
MEDICATION = {"target": "anticoagulants", "answer": True}
MEDICATION_FORM = {"target": "anticoagulants", "answer": "yes"}
CLIENT_FIX = {"given_name": "Dan", "family_name": DAN_FAMILY_NAME, "phone": "+44 20 7946 0999"}
CONSENT_FORM = {"treatment_consent": "on", "how": "verbal", "note": "Agreed again by phone."}
CONSENT_JSON = {"treatment_consent": True, "how": "verbal", "note": "Agreed again by phone."}
INTAKE_FIX = {
    "complaint": "Low back pain after digging",
    "reason": "The client corrected the cause.",
}


def _intake_correction_form(world: World) -> dict[str, str]:
    return _intake_form(world) | INTAKE_FIX


R, W = Kind.RECORD_READ, Kind.RECORD_WRITE
ENTRIES: list[Entry] = [
    # ---- web: clients
    Entry("GET", "/clients/", Kind.STAFF_LIST),
    Entry("GET", "/clients/new/", Kind.STAFF_LIST, health_data=False),
    Entry("POST", "/clients/new/", Kind.CREATE, NEW_CLIENT, ("create",)),
    Entry("GET", "/clients/{client}/", R),
    Entry("GET", "/clients/{client}/edit/", Kind.STAFF_READ),
    Entry(
        "POST", "/clients/{client}/edit/", W, CLIENT_FIX | {"date_of_birth": DAN_BORN}, ("update",)
    ),
    Entry("POST", "/clients/{client}/consent/", W, CONSENT_FORM, ("update",)),
    # A blank form; it shows the client's name and nothing of their health.
    Entry("GET", "/clients/{client}/intake/new/", Kind.STAFF_READ, health_data=False),
    Entry("POST", "/clients/{client}/intake/new/", W, _intake_form, ("create",)),
    Entry("GET", "/clients/intakes/{intake}/", R),
    Entry("GET", "/clients/intakes/{intake}/edit/", Kind.STAFF_READ),
    Entry("POST", "/clients/intakes/{intake}/edit/", W, _intake_correction_form, ("update",)),
    Entry("POST", "/clients/intakes/{red_intake}/referral/", W, REFERRAL, ("referral",)),
    Entry(
        "POST",
        "/clients/intakes/{red_intake}/red-flag-clearance/",
        W,
        lambda w: FLAG_CLEARANCE,
        ("clearance",),
    ),
    Entry(
        "POST",
        "/clients/intakes/{red_intake}/override/",
        W,
        {"reason": OVERRIDE_REASON},
        ("override",),
    ),
    Entry("GET", "/clients/intakes/{red_intake}/referral-letter/", Kind.STAFF_READ),
    Entry("GET", "/clients/intakes/{red_intake}/referral-letter.pdf", Kind.STAFF_READ),
    Entry("POST", "/clients/intakes/{ask_intake}/clearance/", W, CLEARANCE, ("clearance",)),
    Entry("POST", "/clients/intakes/{ask_intake}/medications/", W, MEDICATION_FORM, ("update",)),
    # ---- web: visits
    Entry("POST", "/visits/start/{intake}/", W, None, ("create",)),
    Entry("GET", "/visits/{visit}/", R),
    Entry("POST", "/visits/{empty_visit}/delete/", W, None, ("delete",)),
    Entry("POST", "/visits/{visit}/palpation/", W, PALPATION, ("create",)),
    Entry("POST", "/visits/{visit}/movement/", W, MOVEMENT, ("create",)),
    Entry("GET", "/visits/{visit}/plan/", R),
    Entry("GET", "/visits/{visit}/session/", Kind.STAFF_READ),
    Entry("GET", "/visits/{visit}/session/pad/", Kind.STAFF_READ),
    Entry("POST", "/visits/{visit}/plan/propose/", W, None, ("update",)),
    Entry("POST", "/visits/{visit}/plan/save/", W, PLAN_FORM, ("update",)),
    Entry("GET", "/visits/{signed_visit}/note/", R),
    Entry("GET", "/visits/{signed_visit}/note.pdf", R),
    Entry(
        "POST", "/visits/{visit}/note/draft/", W, lambda w: {"revision": w.revision()}, ("update",)
    ),
    Entry("POST", "/visits/{visit}/note/save/", W, _note_form, ("update",)),
    Entry("POST", "/visits/{signed_visit}/note/amend/", W, AMEND, ("amend",)),
    # ---- web: outcomes (a blank form: the client's name and nothing of their health)
    Entry("GET", "/clients/{client}/outcomes/nprs/", Kind.STAFF_READ, health_data=False),
    Entry("POST", "/clients/{client}/outcomes/nprs/", W, {"pain": "4"}, ("create",)),
    Entry("GET", "/clients/{client}/outcomes/report.pdf", R),
    Entry("GET", "/clients/{client}/outcomes/responses/{response}/", Kind.STAFF_READ),
    Entry(
        "POST",
        "/clients/{client}/outcomes/responses/{response}/void/",
        W,
        VOID,
        ("update",),
    ),
    Entry("GET", "/clients/{client}/outcomes/responses/{response}/correct/", Kind.STAFF_READ),
    Entry(
        "POST",
        "/clients/{client}/outcomes/responses/{response}/correct/",
        W,
        {"pain": "3"} | VOID,
        ("update", "create"),
    ),
    # ---- web: audit
    Entry("GET", "/audit/", Kind.AUDIT),
    # ---- API
    Entry("GET", "/api/me", Kind.ACCOUNT, health_data=False),
    Entry("GET", "/api/clients", Kind.OWN_LIST),
    Entry("POST", "/api/clients", Kind.CREATE, NEW_CLIENT, ("create",)),
    Entry("GET", "/api/clients/{client}", R),
    Entry("PATCH", "/api/clients/{client}", W, {"phone": "+44 20 7946 0999"}, ("update",)),
    Entry("POST", "/api/clients/{client}/consent", W, CONSENT_JSON, ("update",)),
    Entry(
        "POST",
        "/api/clients/{client}/intakes",
        W,
        {"complaint": "Neck pain", "pain_drawing": {"sacrum": 4}},
        ("create",),
    ),
    Entry("GET", "/api/intakes/{intake}", R),
    Entry(
        "PUT",
        "/api/intakes/{intake}",
        W,
        INTAKE_FIX | {"pain_drawing": LOW_BACK},
        ("update",),
    ),
    Entry("POST", "/api/intakes/{red_intake}/referral", W, REFERRAL, ("referral",)),
    Entry(
        "POST",
        "/api/intakes/{red_intake}/red-flag-clearance",
        W,
        lambda w: FLAG_CLEARANCE,
        ("clearance",),
    ),
    Entry(
        "POST",
        "/api/intakes/{red_intake}/override",
        W,
        {"reason": OVERRIDE_REASON},
        ("override",),
    ),
    Entry("POST", "/api/intakes/{ask_intake}/clearance", W, CLEARANCE, ("clearance",)),
    Entry("POST", "/api/intakes/{ask_intake}/medications", W, MEDICATION, ("update",)),
    Entry("POST", "/api/intakes/{intake}/visits", W, None, ("create",)),
    Entry("GET", "/api/visits/{visit}", R),
    Entry("DELETE", "/api/visits/{empty_visit}", W, None, ("delete",)),
    Entry("POST", "/api/visits/{visit}/palpation", W, PALPATION, ("create",)),
    Entry("POST", "/api/visits/{visit}/movement", W, MOVEMENT, ("create",)),
    Entry("POST", "/api/visits/{visit}/plan/propose", W, None, ("update",)),
    Entry("PUT", "/api/visits/{visit}/plan", W, {"steps": [STEP]}, ("update",)),
    Entry("GET", "/api/visits/{signed_visit}/note", R),
    Entry("PUT", "/api/visits/{visit}/note", W, _note_json, ("update",)),
    Entry("POST", "/api/visits/{visit}/note/draft?revision={revision}", W, None, ("update",)),
    Entry(
        "POST",
        "/api/visits/{visit}/note/sign",
        W,
        lambda w: w.no_session() or {"revision": w.revision()},
        ("sign",),
    ),
    Entry("POST", "/api/visits/{signed_visit}/note/amend", W, AMEND, ("amend",)),
    Entry("POST", "/api/visits/{visit}/session", W, None, ("view",)),
    Entry("GET", "/api/visits/{visit}/session", Kind.STAFF_READ),
    Entry("POST", "/api/visits/{visit}/session/events", W, _session_event, ("update",)),
    Entry("POST", "/api/visits/{visit}/session/end", W, None, ("update",)),
    Entry("GET", "/api/audit", Kind.AUDIT),
    Entry("GET", "/api/clients/{client}/outcomes", R),
    Entry(
        "POST",
        "/api/clients/{client}/outcomes",
        W,
        {"instrument": "nprs", "answers": [4]},
        ("create",),
    ),
    Entry("POST", "/api/clients/{client}/outcomes/{response}/void", W, VOID, ("update",)),
    Entry(
        "POST",
        "/api/clients/{client}/outcomes/{response}/correct",
        W,
        {"instrument": "nprs", "answers": [3]} | VOID,
        ("update", "create"),
    ),
    # The clinic's data pages (/accounts/clinic/data/) are in ADMIN_ENTRIES below.
]

# The clinic admin's data pages (only a clinic admin's: a therapist gets 403), reads and
# changes, against the same EXPECTED matrix. They are not in ENTRIES, whose write tables
# are run by a therapist: tests/web/test_clinic_data.py walks the resolver under
# ADMIN_PREFIX, checks every route and method is here, runs the matrix and checks the
# audit events (a download is one export event per client in it, not one view). Erin's
# record holds no signed note, so it may be erased at once.
ADMIN_PREFIX = "accounts/clinic/data/"
ADMIN_ENTRIES: list[Entry] = [
    Entry("GET", "/accounts/clinic/data/", Kind.ADMIN, health_data=False),
    Entry("GET", "/accounts/clinic/data/clinic.fhir.json", Kind.ADMIN),
    Entry("GET", "/accounts/clinic/data/clients/{client}/fhir.json", Kind.ADMIN),
    Entry("GET", "/accounts/clinic/data/clinic-csv.zip", Kind.ADMIN),
    Entry("GET", "/accounts/clinic/data/clients/{client}/erase/", Kind.ADMIN),
    Entry("POST", "/accounts/clinic/data/retention/", Kind.ADMIN, {"years": "10"}, ("update",)),
    # A backup from the page: the world's installation holds two clinics, so none is made
    # (the page says why); tests/web/test_clinic_data_backup.py makes one.
    Entry("POST", "/accounts/clinic/data/backup/", Kind.ADMIN, {"passphrase": "", "again": ""}),
    # A FHIR import from the page: the check (a dry run) writes no record and logs nothing;
    # with nothing checked, the import and the discard change nothing either.
    Entry("POST", "/accounts/clinic/data/import/", Kind.ADMIN, lambda w: _fhir_upload()),
    Entry("POST", "/accounts/clinic/data/import/run/", Kind.ADMIN, {"check": "0"}),
    Entry("POST", "/accounts/clinic/data/import/discard/", Kind.ADMIN, {}),
    Entry(
        "POST",
        "/accounts/clinic/data/clients/{erin_client}/erase/confirm/",
        Kind.ADMIN,
        {"requested_by": "the client, by letter", "requested_on": "2026-01-05"},
        ("delete",),
    ),
]

# The client's own portal in the API (/api/me/...): a client's reads and writes, refused
# to staff, so not in ENTRIES (whose reads and writes are staff's).
# tests/web/test_api_portal.py walks the resolver under PORTAL_PREFIX, checks every route
# and method is here, runs the matrix, the audit events and the refusals' empty log.
PORTAL_PREFIX = "api/me/"


def _portal_log(world: World) -> dict[str, Any]:
    """Done, for the first exercise of Dan's program (MISSING_ID when he has none)."""
    from myomap.program.models import ProgramItem

    item = ProgramItem.objects.filter(program__client=world.client).order_by("order").first()
    return {
        "entry_id": "8f0c1a52-6b2e-4c1d-9a57-2f1e0d3c4b5a",
        "item": item.pk if item is not None else MISSING_ID,
        "outcome": "done",
    }


PORTAL_DIARY = {"regions": ["lumbar-lower-left"], "pain": 4, "note": "after weeding"}
PORTAL_ENTRIES: list[Entry] = [
    Entry("GET", "/api/me/program", Kind.PORTAL),
    Entry(
        "POST",
        "/api/me/log",
        Kind.PORTAL,
        lambda w: _portal_log(w),
        ("create",),
    ),
    Entry("GET", "/api/me/diary", Kind.PORTAL),
    Entry(
        "POST",
        "/api/me/diary",
        Kind.PORTAL,
        PORTAL_DIARY | {"entry_id": "0b6e2f4a-3c1d-4e5f-8a9b-7c6d5e4f3a2b"},
        ("create",),
    ),
    Entry("GET", "/api/me/appointments", Kind.PORTAL),
    Entry("GET", "/api/me/notes", Kind.PORTAL),
]

# Routes under PREFIXES that hold no client data, each with the reason.
NOT_CLIENT_DATA = {
    "api/openapi.json": "the API's description",
    "api/docs": "the API's interactive docs",
    "api/": "django-ninja's root: always 404",
} | {
    str(entry.path).lstrip("/"): "the client's own portal: PORTAL_ENTRIES"
    for entry in PORTAL_ENTRIES
}


# ----------------------------------------------------------------------------- the resolver
def routes(prefixes: tuple[str, ...] = PREFIXES) -> list[str]:
    """Every route of the URL configuration under `prefixes`, walked from the resolver."""

    def walk(patterns: list[Any], prefix: str) -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))
        return found

    return sorted({r for r in walk(get_resolver().url_patterns, "") if r.startswith(prefixes)})


# ----------------------------------------------------------------------------- snapshots
RECORD_MODELS = (
    Client,
    ClientRevision,
    Intake,
    IntakeRevision,
    Visit,
    PalpationFinding,
    MovementFinding,
    PlanStep,
    Note,
    NoteVersion,
    QuestionnaireResponse,
    AuditEvent,
)


def snapshot(*, audit: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Every row of every clinical record table and (unless audit=False) of the audit log."""
    models = [m for m in RECORD_MODELS if audit or m is not AuditEvent]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def new_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=before).order_by("pk"))


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
