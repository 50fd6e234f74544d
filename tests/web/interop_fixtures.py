"""Shared by the interop tests: Dan Marlowe (tests/personas.py) with a record holding every
kind of thing Myomap exports, made through the same actions the web and API use.

Alice (Lakeside's therapist) records his consents (treatment written, health data verbal
with a note), an intake with a pain drawing, history and medicines, then two visits: the
first with palpation (every sign and a pressure pain threshold) and movement findings, a
proposed plan, a guided session with two holds and a signed note, amended and signed
again, and an NPRS taken at it; a PSFS (two activities in his words) before the second,
with a
palpation finding and a draft note. Hilltop (bob's clinic) holds no client at all."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle, BundleEntry

from myomap.audit.log import Context
from myomap.clients import actions as client_actions
from myomap.clients.models import Client
from myomap.outcomes import actions as outcome_actions
from myomap.visits import actions as visit_actions
from myomap.visits import session_actions
from myomap.visits.models import Visit
from personas import DAN_BORN, DAN_FAMILY_NAME, People

T0 = dt.datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=dt.UTC)
QL = "quadratus-lumborum-deep-caudal"
AMENDMENT = "Thomas test finding left out of the signed note"
DRAWING = {"lumbar-upper-left": 7, "lumbar-lower-left": 5, "sacrum": 3}


SPEC_EXAMPLES = Path(__file__).parent.parent / "data" / "fhir"


def spec_examples() -> str:
    """Two of the FHIR R4 specification's own examples (CC0, tests/data/fhir/README.md) in
    a collection Bundle: a Patient (Pieter van de Heuvel) and a body-weight Observation."""
    entries = []
    for name in ("patient-example-f001-pieter.json", "observation-example.json"):
        data = json.loads((SPEC_EXAMPLES / name).read_text(encoding="utf-8"))
        resource = get_fhir_model_class(data["resourceType"]).model_validate(data)
        entries.append(
            BundleEntry(fullUrl=f"{data['resourceType']}/{data['id']}", resource=resource)
        )
    return Bundle(type="collection", entry=entries).model_dump_json()


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def ctx(user: Any, minutes: float) -> Context:
    return Context(user=user, via="cli", now=at(minutes))


@dataclass
class Record:
    client: Client
    signed_visit: Visit
    draft_visit: Visit


def event(event_id: str, kind: str, minutes: float, **fields: Any) -> session_actions.EventData:
    return session_actions.EventData(event_id, kind, at(minutes), fields)


def dans_record(folk: People) -> Record:
    alice = folk.alice
    client = client_actions.create_client(
        ctx(alice, 0),
        client_actions.ClientData(
            "Dan",
            DAN_FAMILY_NAME,
            DAN_BORN,
            email="dan@example.org",
            phone="+44 20 7946 0001",
            treatment_consent=True,
        ),
    )
    client_actions.record_consent(
        ctx(alice, 1),
        client,
        client_actions.ConsentData(data_consent=True, how="verbal", note="agreed by phone"),
    )
    intake = client_actions.record_intake(
        ctx(alice, 2),
        client,
        client_actions.IntakeData(
            complaint="Low back pain after gardening",
            pain_drawing=DRAWING,
            history="Started three weeks ago lifting bags of soil.",
            medications="Ibuprofen 400 mg as needed",
        ),
    )
    signed = visit_actions.start_visit(ctx(alice, 10), client, intake)
    visit_actions.record_palpation(
        ctx(alice, 11),
        signed,
        visit_actions.PalpationData(
            QL, "left", tender=6, taut_band=True, referral=True, twitch=True, jump=True, ppt=2.5
        ),
    )
    visit_actions.record_movement(
        ctx(alice, 12), signed, "prone-hip-extension", "left", "positive", "hamstrings first"
    )
    visit_actions.propose_plan(ctx(alice, 13), signed)
    session_actions.start_session(ctx(alice, 14), signed)
    session_actions.record_events(
        ctx(alice, 20),
        signed,
        [
            event("e1", "go-to-point", 15, trigger_point=QL, side="left"),
            event("e2", "start-hold", 15.5, technique="ischemic-compression", pressure="moderate"),
            event("e3", "release-hold", 16),
            event("e4", "start-hold", 16.5, technique="ischemic-compression", pressure="light"),
            event("e5", "release-hold", 17),
        ],
    )
    session_actions.end_session(ctx(alice, 21), signed)
    version = visit_actions.draft_note(ctx(alice, 22), signed)
    visit_actions.sign_note(ctx(alice, 23), signed, revision=version.revision)
    amended = visit_actions.amend_note(ctx(alice, 30), signed, AMENDMENT)
    amended = visit_actions.save_note(
        ctx(alice, 31),
        signed,
        revision=amended.revision,
        subjective=amended.subjective,
        objective=amended.objective + "\nLeft hip flexors short on Thomas test.",
        assessment=amended.assessment,
        plan=amended.plan,
    )
    visit_actions.sign_note(ctx(alice, 32), signed, revision=amended.revision)

    outcome_actions.record_response(
        ctx(alice, 9), client, outcome_actions.ResponseData("nprs", [7], visit=signed)
    )
    outcome_actions.record_response(
        ctx(alice, 60 * 24 * 7 - 5),
        client,
        outcome_actions.ResponseData(
            "psfs",
            {"activity-1": 4, "activity-2": 6, "activity-3": 5},
            activities=["gardening", "lifting", "sitting"],
        ),
    )
    draft = visit_actions.start_visit(ctx(alice, 60 * 24 * 7), client, intake)
    visit_actions.record_palpation(
        ctx(alice, 60 * 24 * 7 + 1), draft, visit_actions.PalpationData(QL, "left", tender=3)
    )
    visit_actions.draft_note(ctx(alice, 60 * 24 * 7 + 2), draft)
    client.refresh_from_db()
    return Record(client, signed, draft)
