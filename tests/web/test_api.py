"""The JSON API: auth, the whole flow, permissions per persona, errors, audit, OpenAPI.

The people are tests/personas.py's: alice (therapist at Lakeside), carol (Lakeside's clinic
admin), bob (therapist at Hilltop, another clinic), erin (a Lakeside client with her own
login and her own record, Erin Ashdown's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser
from django.utils import timezone

from myomap.accounts.models import User
from myomap.api.models import ApiToken, hash_key
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from personas import ERIN_BORN, ERIN_FAMILY_NAME

pytestmark = pytest.mark.django_db

LOW_BACK = {"lumbar-upper-left": 7, "lumbar-lower-left": 5, "sacrum": 3}
OVERRIDE_REASON = "Client's GP examined her yesterday and cleared treatment in writing."


# ----------------------------------------------------------------------------- personas
@pytest.fixture
def erins_record(erin: User, alice: User) -> Client:
    """Erin's own record at Lakeside, with both consents, opened by alice."""
    return Client.objects.create(
        clinic=erin.clinic,
        user=erin,
        given_name="Erin",
        family_name=ERIN_FAMILY_NAME,
        date_of_birth=ERIN_BORN,
        created_by=alice,
        treatment_consent_at=timezone.now(),
        data_consent_at=timezone.now(),
    )


class Api:
    """The test client speaking JSON with a bearer token."""

    def __init__(self, user: User | None = None, key: str | None = None) -> None:
        if user is not None:
            key = ApiToken.issue(user, "tests")[1]
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = Browser(headers=headers)

    def get(self, path: str, **query: Any) -> Any:
        return self.http.get(path, query)

    def post(self, path: str, body: Any = None) -> Any:
        return self.http.post(path, body or {}, content_type="application/json")

    def put(self, path: str, body: Any) -> Any:
        return self.http.put(path, body, content_type="application/json")


def new_client(api: Api, **fields: Any) -> int:
    body: dict[str, Any] = {"given_name": "Maria", "family_name": "Lopez"}
    body |= {"date_of_birth": "1979-06-14", "treatment_consent": True, "data_consent": True}
    body |= fields
    response = api.post("/api/clients", body)
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def new_intake(api: Api, client_id: int, **fields: Any) -> dict[str, Any]:
    body = {"complaint": "Low back pain after gardening", "pain_drawing": LOW_BACK} | fields
    response = api.post(f"/api/clients/{client_id}/intakes", body)
    assert response.status_code == 201, response.json()
    return dict(response.json())


def new_visit(api: Api) -> dict[str, int]:
    client_id = new_client(api)
    intake_id = new_intake(api, client_id)["id"]
    response = api.post(f"/api/intakes/{intake_id}/visits")
    assert response.status_code == 201, response.json()
    return {"client": client_id, "intake": intake_id, "visit": response.json()["id"]}


# ----------------------------------------------------------------------------- auth
def test_a_token_authenticates_and_its_use_is_remembered(alice: User) -> None:
    token, key = ApiToken.issue(alice, "laptop")
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    response = Api(key=key).get("/api/me")
    assert response.status_code == 200
    assert response.json()["username"] == "alice" and response.json()["role"] == "therapist"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_wrong_token_and_no_credentials_get_401(alice: User) -> None:
    assert Api(key="mm_not-a-real-key").get("/api/clients").status_code == 401
    anonymous = Api()
    assert anonymous.get("/api/clients").status_code == 401
    assert anonymous.post("/api/clients", {"given_name": "X"}).status_code == 401
    assert anonymous.get("/api/visits/1/note").status_code == 401


def test_a_deactivated_users_token_stops_working(alice: User) -> None:
    api = Api(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert api.get("/api/me").status_code == 401


def test_a_signed_in_session_works_and_writes_need_the_csrf_token(
    alice: User, password: str
) -> None:
    browser = Browser(enforce_csrf_checks=True)
    browser.get("/accounts/login/")  # hands out the CSRF cookie, as to a browser
    assert browser.login(username="alice", password=password)
    assert browser.get("/api/clients").status_code == 200
    body = {"given_name": "Ana", "family_name": "Ruiz", "date_of_birth": "1990-01-02"}
    assert browser.post("/api/clients", body, content_type="application/json").status_code == 403
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/clients", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


def test_token_create_prints_the_key_once(alice: User, capsys: pytest.CaptureFixture[str]) -> None:
    from myomap.cli.main import main

    assert main(["token", "create", "alice", "--name", "script"]) == 0
    out = capsys.readouterr()
    key = out.out.strip()
    assert ApiToken.objects.get(key_hash=hash_key(key)).name == "script"
    assert "Shown once" in out.err
    assert main(["token", "create", "nobody"]) == 1


# ----------------------------------------------------------------------------- the flow
def test_the_whole_flow_from_intake_to_an_amended_note(alice: User) -> None:
    api = Api(alice)
    client_id = new_client(api)
    intake = new_intake(api, client_id, red_flag_answers={"cauda-equina-bladder": True})
    assert intake["gate"]["state"] == "blocked"
    assert (
        intake["screening"]["blocked"]
        and intake["screening"]["red_flags"][0]["id"] == "cauda-equina-bladder"
    )

    blocked = api.post(f"/api/intakes/{intake['id']}/visits")
    assert blocked.status_code == 409
    assert "red flag" in blocked.json()["detail"]

    short = api.post(f"/api/intakes/{intake['id']}/override", {"reason": "fine"})
    assert short.status_code == 400 and short.json()["field"] == "reason"
    overridden = api.post(f"/api/intakes/{intake['id']}/override", {"reason": OVERRIDE_REASON})
    assert overridden.status_code == 200
    gate = overridden.json()["gate"]
    assert (gate["state"], gate["by"], gate["note"]) == ("overridden", "alice", OVERRIDE_REASON)

    visit_id = api.post(f"/api/intakes/{intake['id']}/visits").json()["id"]
    visit = api.get(f"/api/visits/{visit_id}").json()
    assert visit["candidates"], "a low back drawing has candidates to examine"
    top = visit["candidates"][0]
    assert set(top["explains"]) <= set(LOW_BACK)

    palpation = {
        "trigger_point": top["trigger_point"],
        "side": top["side"],
        "tender": 7,
        "taut_band": True,
        "referral": True,
    }
    assert api.post(f"/api/visits/{visit_id}/palpation", palpation).status_code == 200
    assert api.get(f"/api/visits/{visit_id}").json()["palpation"][0]["tender"] == 7

    plan = api.post(f"/api/visits/{visit_id}/plan/propose")
    assert plan.status_code == 200
    # The overridden red flag no longer blocks: the confirmed point leads the plan.
    steps = plan.json()["steps"]
    assert steps and steps[0]["trigger_point"] == top["trigger_point"]

    draft = api.post(f"/api/visits/{visit_id}/note/draft").json()
    assert draft["number"] == 1 and not draft["signed"]
    edit = {
        "subjective": "Better today.",
        "objective": draft["objective"],
        "assessment": draft["assessment"],
        "plan": draft["plan"],
    }
    saved = api.put(f"/api/visits/{visit_id}/note", {"revision": draft["revision"], **edit})
    assert saved.status_code == 200
    stale = api.put(f"/api/visits/{visit_id}/note", {"revision": draft["revision"], **edit})
    assert stale.status_code == 409
    assert "someone else saved this note" in stale.json()["detail"]

    revision = saved.json()["revision"]
    assert (
        api.post(f"/api/visits/{visit_id}/note/sign", {"revision": revision - 1}).status_code == 409
    )
    signed = api.post(f"/api/visits/{visit_id}/note/sign", {"revision": revision})
    assert signed.status_code == 200 and signed.json()["signed_by"] == "alice"
    assert (
        api.put(f"/api/visits/{visit_id}/note", {"revision": revision, **edit}).status_code == 409
    )

    amended = api.post(f"/api/visits/{visit_id}/note/amend", {"reason": "Added the home program."})
    assert amended.status_code == 201 and amended.json()["number"] == 2
    note = api.get(f"/api/visits/{visit_id}/note").json()
    assert note["current"]["number"] == 2 and not note["current"]["signed"]
    assert [v["number"] for v in note["history"]] == [1, 2]
    assert note["history"][0]["signed"] and note["history"][0]["subjective"] == "Better today."


def test_an_emergency_referral_waits_for_a_medical_clearance_before_a_visit(alice: User) -> None:
    api = Api(alice)
    intake = new_intake(api, new_client(api), red_flag_answers={"cauda-equina-bladder": True})
    response = api.post(
        f"/api/intakes/{intake['id']}/referral", {"note": "Sent to the ED at St Mary's today."}
    )
    gate = response.json()["gate"]
    assert response.status_code == 200 and gate["state"] == "awaiting"
    assert gate["allows_planning"] is False and "medical clearance" in gate["why_not"]
    refused = api.post(f"/api/intakes/{intake['id']}/visits")
    assert refused.status_code == 409 and refused.json()["detail"] == gate["why_not"]
    clearance = {
        "cleared_by": "Dr Patel, St Mary's emergency department",
        "cleared_on": dt.date.today().isoformat(),
        "said": "MRI normal, no cauda equina compression; massage is fine.",
    }
    response = api.post(f"/api/intakes/{intake['id']}/red-flag-clearance", clearance)
    gate = response.json()["gate"]
    assert gate["state"] == "cleared" and gate["allows_planning"] is True
    assert gate["medical_clearance"]["cleared_by"] == clearance["cleared_by"]
    assert api.get(f"/api/intakes/{intake['id']}").json()["gate"] == gate
    assert api.post(f"/api/intakes/{intake['id']}/visits").status_code == 201


def test_a_proposed_plan_starts_with_the_palpated_point(alice: User) -> None:
    api = Api(alice)
    visit_id = new_visit(api)["visit"]
    top = api.get(f"/api/visits/{visit_id}").json()["candidates"][0]
    palpation = {
        "trigger_point": top["trigger_point"],
        "side": top["side"],
        "tender": 6,
        "referral": True,
    }
    api.post(f"/api/visits/{visit_id}/palpation", palpation)
    plan = api.post(f"/api/visits/{visit_id}/plan/propose").json()
    assert plan["steps"][0]["trigger_point"] == top["trigger_point"]
    assert api.get(f"/api/visits/{visit_id}").json()["plan"] == plan["steps"]


def test_an_edited_plan_is_saved_in_order(alice: User) -> None:
    api = Api(alice)
    visit_id = new_visit(api)["visit"]
    steps = [
        {
            "trigger_point": "quadratus-lumborum-deep-caudal",
            "side": "left",
            "technique": "ischemic-compression",
            "pressure": "moderate",
            "hold_seconds": 20,
        },
        {
            "trigger_point": "quadratus-lumborum-deep-cranial",
            "side": "left",
            "technique": "stretching",
            "pressure": "light",
            "hold_seconds": 30,
            "repetitions": 3,
        },
    ]
    saved = api.put(f"/api/visits/{visit_id}/plan", {"steps": steps})
    assert saved.status_code == 200
    assert [(s["order"], s["technique"]) for s in saved.json()["steps"]] == [
        (1, "ischemic-compression"),
        (2, "stretching"),
    ]


def test_a_saved_plan_refuses_ruled_out_techniques(alice: User) -> None:
    api = Api(alice)
    client_id = new_client(api)
    intake = new_intake(api, client_id, contraindication_answers={"fever": True})
    visit_id = api.post(f"/api/intakes/{intake['id']}/visits").json()["id"]
    step = {
        "trigger_point": "quadratus-lumborum-deep-caudal",
        "side": "left",
        "technique": "ischemic-compression",
        "pressure": "moderate",
        "hold_seconds": 20,
    }
    response = api.put(f"/api/visits/{visit_id}/plan", {"steps": [step]})
    assert response.status_code == 400 and response.json()["field"] == "technique"


def test_movement_findings_are_recorded(alice: User) -> None:
    api = Api(alice)
    visit_id = new_visit(api)["visit"]
    body = {"test": "prone-hip-extension", "side": "left", "result": "positive"}
    assert api.post(f"/api/visits/{visit_id}/movement", body).status_code == 200
    assert api.get(f"/api/visits/{visit_id}").json()["movement"][0]["test"] == "prone-hip-extension"


# ----------------------------------------------------------------------------- permissions
OBJECT_ENDPOINTS = [
    ("get", "/api/clients/{client}", None),
    ("post", "/api/clients/{client}/intakes", {"complaint": "Back pain"}),
    ("get", "/api/intakes/{intake}", None),
    ("post", "/api/intakes/{intake}/referral", {"note": "Sent to the GP with a letter."}),
    ("post", "/api/intakes/{intake}/override", {"reason": OVERRIDE_REASON}),
    ("post", "/api/intakes/{intake}/visits", None),
    ("get", "/api/visits/{visit}", None),
    (
        "post",
        "/api/visits/{visit}/palpation",
        {"trigger_point": "quadratus-lumborum-deep-caudal", "side": "left"},
    ),
    ("post", "/api/visits/{visit}/movement", {"test": "prone-hip-extension", "result": "positive"}),
    ("post", "/api/visits/{visit}/plan/propose", None),
    ("put", "/api/visits/{visit}/plan", {"steps": []}),
    ("post", "/api/visits/{visit}/note/draft", None),
    ("get", "/api/visits/{visit}/note", None),
    (
        "put",
        "/api/visits/{visit}/note",
        {"revision": 1, "subjective": "", "objective": "", "assessment": "", "plan": ""},
    ),
    ("post", "/api/visits/{visit}/note/sign", {"revision": 1}),
    ("post", "/api/visits/{visit}/note/amend", {"reason": "Corrected the side."}),
]


def _call(api: Api, method: str, path: str, body: Any) -> Any:
    if method == "get":
        return api.get(path)
    return getattr(api, method)(path, body)


@pytest.mark.parametrize(("method", "path", "body"), OBJECT_ENDPOINTS)
def test_another_clinics_therapist_gets_404(
    alice: User, bob: User, method: str, path: str, body: Any
) -> None:
    ids = new_visit(Api(alice))
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = _call(Api(bob), method, path.format(**ids), body)
    assert response.status_code == 404
    assert response.json()["detail"] == "not found"
    # Only the refused attempt is logged, for the record's clinic (alice's), not bob's.
    events = list(AuditEvent.objects.filter(pk__gt=before))
    assert [(e.action, e.actor, e.clinic_id) for e in events] == [
        (AuditEvent.Action.REFUSED, bob, alice.clinic_id)
    ]


def test_a_missing_record_gets_the_same_404(alice: User) -> None:
    assert Api(alice).get("/api/clients/999999").json() == {"detail": "not found", "field": None}


def test_a_client_user_reads_only_their_own_record(
    alice: User, erin: User, erins_record: Client
) -> None:
    own = erins_record
    intake = new_intake(Api(alice), own.pk)
    other = new_client(Api(alice))
    api = Api(erin)
    listed = api.get("/api/clients").json()
    assert [c["id"] for c in listed["items"]] == [own.pk]
    assert api.get(f"/api/clients/{own.pk}").status_code == 200
    assert api.get(f"/api/intakes/{intake['id']}").status_code == 200
    assert api.get(f"/api/clients/{other}").status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), [e for e in OBJECT_ENDPOINTS if e[0] != "get"])
def test_a_client_user_gets_403_for_writes(
    alice: User, erin: User, erins_record: Client, method: str, path: str, body: Any
) -> None:
    ids = new_visit(Api(alice))
    ids["client"] = erins_record.pk
    response = _call(Api(erin), method, path.format(**ids), body)
    assert response.status_code == 403


def test_a_client_user_cannot_create_clients(erin: User, erins_record: Client) -> None:
    body = {"given_name": "Eve", "family_name": "X", "date_of_birth": "1990-01-01"}
    assert Api(erin).post("/api/clients", body).status_code == 403


# ----------------------------------------------------------------------------- bad input
def _loc(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.json()
    return [error["loc"] for error in response.json()["detail"]]


def test_an_intensity_out_of_range_names_the_pain_drawing(alice: User) -> None:
    api = Api(alice)
    response = api.post(
        f"/api/clients/{new_client(api)}/intakes",
        {"complaint": "Back pain", "pain_drawing": {"sacrum": 11}},
    )
    assert "pain_drawing" in _loc(response)[0]
    assert "sacrum" in response.json()["detail"][0]["msg"]


def test_an_unknown_red_flag_or_region_names_the_field(alice: User) -> None:
    api = Api(alice)
    client_id = new_client(api)
    flag = api.post(
        f"/api/clients/{client_id}/intakes",
        {"complaint": "Back pain", "red_flag_answers": {"no-such-flag": True}},
    )
    assert flag.status_code == 400
    assert flag.json()["field"] == "red_flag_answers" and "no-such-flag" in flag.json()["detail"]
    region = api.post(
        f"/api/clients/{client_id}/intakes",
        {"complaint": "Back pain", "pain_drawing": {"elbow-of-nowhere": 4}},
    )
    assert region.status_code == 400 and region.json()["field"] == "pain_drawing"


def test_unknown_fields_and_bad_findings_are_refused(alice: User) -> None:
    api = Api(alice)
    unknown = api.post(
        "/api/clients",
        {"given_name": "A", "family_name": "B", "date_of_birth": "1980-01-01", "nickname": "Al"},
    )
    assert "nickname" in _loc(unknown)[0]
    visit_id = new_visit(api)["visit"]
    tender = api.post(
        f"/api/visits/{visit_id}/palpation",
        {"trigger_point": "quadratus-lumborum-deep-caudal", "side": "left", "tender": 11},
    )
    assert "tender" in _loc(tender)[0]
    point = api.post(
        f"/api/visits/{visit_id}/palpation", {"trigger_point": "no-such-point", "side": "left"}
    )
    assert point.status_code == 400 and point.json()["field"] == "trigger_point"
    born = api.post(
        "/api/clients", {"given_name": "A", "family_name": "B", "date_of_birth": "2999-01-01"}
    )
    assert born.status_code == 400 and born.json()["field"] == "date_of_birth"


# ----------------------------------------------------------------------------- audit
def test_every_read_of_health_data_is_audited_as_api(alice: User) -> None:
    api = Api(alice)
    ids = new_visit(api)
    reads = [
        "/api/clients",
        f"/api/clients/{ids['client']}",
        f"/api/intakes/{ids['intake']}",
        f"/api/visits/{ids['visit']}",
        f"/api/visits/{ids['visit']}/note",
    ]
    for path in reads:
        before = AuditEvent.objects.count()
        assert api.get(path).status_code == 200
        event = AuditEvent.objects.order_by("-id").first()
        assert AuditEvent.objects.count() == before + 1, path
        assert event is not None and (event.action, event.via, event.path) == ("view", "api", path)
    assert set(AuditEvent.objects.values_list("via", flat=True)) == {"api"}


def test_the_audit_log_is_for_clinic_admins(
    alice: User, carol: User, erin: User, erins_record: Client
) -> None:
    ids = new_visit(Api(alice))
    assert Api(alice).get("/api/audit").status_code == 403
    assert Api(erin).get("/api/audit").status_code == 403
    api = Api(carol)
    page = api.get("/api/audit", client=ids["client"], action="create").json()
    assert page["count"] >= 3 and page["page"] == 1
    assert {e["action"] for e in page["items"]} == {"create"}
    assert {e["client_id"] for e in page["items"]} == {ids["client"]}
    assert api.get("/api/audit", action="shred").status_code == 422


# ----------------------------------------------------------------------------- docs
def test_the_openapi_description_lists_the_paths_and_the_docs_load(alice: User) -> None:
    browser = Browser()
    schema = browser.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Myomap API"
    for path in [
        "/api/clients",
        "/api/intakes/{intake_id}/override",
        "/api/visits/{visit_id}/note/sign",
        "/api/audit",
    ]:
        assert path in schema["paths"]
    docs = browser.get("/api/docs")
    assert docs.status_code == 200
    # Swagger UI comes from our own static files, so the docs work without the internet.
    assert b"cdn" not in docs.content
    assert browser.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
