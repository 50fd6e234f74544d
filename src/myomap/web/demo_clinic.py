"""A demo clinic at the scale of a clinic network: `myomap demo --clients N` adds synthetic
clients to the demo clinic, to look at (and measure) the pages with thousands of records.

Each synthetic client is made from its number alone (a fixed seed per number), so the
same N gives the same clinic on every machine: a name from small lists of given and
family names (accented ones too), a date of birth, written consent, one intake screened
clear (every red flag and contraindication answered no, so visits may start), and on
average 1.5 visits. A visit is, by chance, just started, examined (palpation findings),
planned with a draft note, or planned with a signed note. The findings, plans and notes
are those the real actions make for the same pain picture: they are made once per
picture through the actions, read, and rolled back (`_visit_templates`), then copied.

The rows are written with bulk inserts, one transaction per batch. The client's number
is stored as the create key `demo-synthetic-<number>`, so a second run adds only the
missing numbers and the unique (clinic, create key) refuses a duplicate. One audit event
per batch says the demo clinic was seeded (the rows were not typed in by anyone)."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from myomap.accounts.models import Clinic, User
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client, Intake
from myomap.core.kb import load_default
from myomap.records.planner import refresh_statistics
from myomap.visits.models import Note, NoteVersion, PalpationFinding, PlanStep, Visit

MAX_CLIENTS = 100_000
BATCH = 1_000
KEY_PREFIX = "demo-synthetic-"

GIVEN_NAMES = (
    "Maria", "José", "Zoë", "Agnès", "Søren", "Björn", "Chloé", "Renée", "Mário", "Łucja",
    "Oisín", "Siobhán", "Ana", "Jürgen", "Noémie", "Inés", "Tomás", "Anja", "Ida", "Ömer",
    "Priya", "Kwame", "Mei", "Hiroshi", "Fatima", "Yusuf", "Elena", "Luca", "Sarah", "David",
    "Grace", "Samuel", "Aisha", "Oliver", "Emma", "Noah", "Lena", "Matteo", "Nora", "Jan",
)  # fmt: skip
FAMILY_NAMES = (
    "Müller", "García", "Østergaard", "Nováková", "Dvořák", "Şahin", "Ó Briain", "Łukasik",
    "Lefèvre", "Gonçalves", "Jäger", "Björklund", "Núñez", "Pérez", "Kowalski", "Smith",
    "Okafor", "Nakamura", "Chen", "Patel", "Mensah", "Rossi", "Johansson", "Dubois", "Brown",
    "Ibrahim", "Novak", "Schmidt", "Murphy", "Kim", "Fernández", "Wójcik", "Hansen", "Silva",
    "Taylor", "Lopez", "Becker", "Ahmed", "Martin", "Horvath",
)  # fmt: skip


@dataclass(frozen=True)
class Picture:
    """One way clients present: the complaint, the pain drawing (left side; mirrored for
    the right), history and the intake questions answered (id -> yes/no, or 0-3 on a scale)."""

    name: str
    complaint: str
    drawing: dict[str, int]
    history: str = ""
    factors: dict[str, bool | int] = field(default_factory=dict)


# The knowledge base covers the low back and the lumbopelvic region: every picture lies
# there, so each has candidates to examine (a drawing elsewhere has none).
PICTURES = (
    Picture(
        "low back",
        "Aching low back on the {side} for some weeks, worse after sitting; "
        "pain into the buttock when getting up from a chair.",
        {"lumbar-lower-left": 6, "buttock-upper-left": 5, "si-joint-left": 4},
        "Desk work, long hours.",
        {"posture-prolonged-sitting": True, "ischemia-stiff-after-stillness": True},
    ),
    Picture(
        "hip",
        "Outer {side} hip and thigh pain after running; hurts to lie on that side.",
        {"hip-lateral-left": 7, "thigh-lateral-proximal-left": 5, "buttock-mid-left": 3},
        "Runs three times a week.",
        {"biomechanics-one-sided-sport": True},
    ),
    Picture(
        "buttock",
        "Deep {side} buttock pain, worse when sitting on a hard chair or driving.",
        {"buttock-mid-left": 6, "buttock-lower-left": 5, "thigh-posterior-proximal-left": 3},
        "Drives for work.",
        {"posture-wallet-pocket": True, "posture-prolonged-sitting": True},
    ),
    Picture(
        "waist",
        "Ache across the {side} side of the waist, worse turning in bed or straightening up "
        "after bending.",
        {"lumbar-upper-left": 6, "thoracolumbar-left": 5, "iliac-crest-left": 4},
        "Lifts boxes at work.",
        {"biomechanics-frequent-lifting": True, "stress-level": 2},
    ),
    Picture(
        "calf",
        "Tight {side} calf and heel pain, worst with the first steps in the morning.",
        {"calf-upper-left": 5, "heel-left": 6},
        "Walks a lot for work.",
        {"ischemia-tightness": 2},
    ),
    Picture(
        "tailbone",
        "Pain over the tailbone after a fall on the ice, spreading into the {side} buttock; "
        "worse sitting.",
        {"sacrum": 6, "coccyx": 5, "buttock-lower-left": 3},
        "Sits most of the day.",
        {"posture-slumped-sitting": True, "stress-poor-sleep": 1},
    ),
)
UNDRAWN = Picture(
    "check-up", "General stiffness after a long week; no single painful area.", {}, "", {}
)
# How many visits a client has (0-3, 1.5 on average) and how far each visit got.
VISIT_COUNTS, VISIT_WEIGHTS = (0, 1, 2, 3), (15, 35, 35, 15)
STAGES, STAGE_WEIGHTS = ("started", "examined", "drafted", "signed"), (8, 12, 15, 65)


@dataclass(frozen=True)
class VisitTemplate:
    """What the real actions recorded for one pain picture: palpation findings, the
    proposed plan (steps and what it left out) and the drafted SOAP note."""

    palpations: tuple[dict[str, Any], ...]
    steps: tuple[dict[str, Any], ...]
    excluded: list[Any]
    note: dict[str, str]


def demo_clinic() -> Clinic | None:
    from myomap.web.demo import CLINIC_NAME

    return Clinic.objects.filter(name=CLINIC_NAME).order_by("pk").first()


def synthetic_count(clinic: Clinic) -> int:
    return Client.objects.filter(clinic=clinic, create_key__startswith=KEY_PREFIX).count()


def seed_clients(
    clinic: Clinic,
    therapist: User,
    total: int,
    *,
    now: dt.datetime,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Bring the clinic up to `total` synthetic clients, recorded by `therapist` (one of
    its members); return how many were added. `progress(done, total)` follows each batch."""
    have = set(
        Client.objects.filter(clinic=clinic, create_key__startswith=KEY_PREFIX).values_list(
            "create_key", flat=True
        )
    )
    missing = [n for n in range(1, total + 1) if _key(n) not in have]
    if not missing:
        return 0
    templates = _visit_templates(therapist, now)
    done = total - len(missing)
    for start in range(0, len(missing), BATCH):
        numbers = missing[start : start + BATCH]
        with transaction.atomic():
            _write_batch(clinic, therapist, numbers, templates, now)
            record(
                Context(user=therapist, via="cli", now=now),
                AuditEvent.Action.CREATE,
                clinic,
                summary=f"demo clinic seeded: synthetic clients {numbers[0]}-{numbers[-1]}",
            )
        done += len(numbers)
        progress(done, total)
    refresh_statistics(postgres_too=True)  # the search pages' plans depend on them
    return len(missing)


def _key(number: int) -> str:
    return f"{KEY_PREFIX}{number:06d}"


def _ascii(text: str) -> str:
    """ "Østergaard" -> "stergaard"... letters a-z only, for an e-mail address."""
    plain = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("ł", "l").lower())
    return "".join(ch for ch in plain if "a" <= ch <= "z")


def _mirrored(drawing: dict[str, int], side: str) -> dict[str, int]:
    return {region.replace("-left", f"-{side}"): i for region, i in drawing.items()}


def _intake_fields(picture: Picture, side: str) -> dict[str, Any]:
    """An intake as the web form stores it: every safety question answered."""
    kb = load_default()
    return {
        "complaint": picture.complaint.format(side=side),
        "pain_drawing": _mirrored(picture.drawing, side),
        "history": picture.history,
        "red_flag_answers": dict.fromkeys(kb.red_flags, False),
        "contraindication_answers": dict.fromkeys(kb.contraindications, False),
        "factor_answers": dict(picture.factors),
    }


PALPATION_FIELDS = (
    "trigger_point",
    "side",
    "tender",
    "taut_band",
    "referral",
    "twitch",
    "jump",
    "ppt",
)
STEP_FIELDS = (
    "order", "trigger_point", "side", "technique", "pressure", "hold_seconds", "repetitions",
    "reason", "modifications",
)  # fmt: skip


class _Rollback(Exception):
    """Raised to roll the template visits back once they are read."""


def _visit_templates(therapist: User, now: dt.datetime) -> dict[tuple[str, str], VisitTemplate]:
    """For each pain picture and side, what the real actions record (`_template`); the
    records they made are rolled back."""
    ctx = Context(user=therapist, via="cli", now=now)
    out: dict[tuple[str, str], VisitTemplate] = {}
    try:
        with transaction.atomic():
            for picture in PICTURES:
                for side in ("left", "right"):
                    out[picture.name, side] = _template(ctx, picture, side)
            raise _Rollback
    except _Rollback:
        pass
    return out


def _template(ctx: Context, picture: Picture, side: str) -> VisitTemplate:
    """Start a visit for the picture through the real actions, palpate its first three
    candidates, propose the plan and draft the note; return what was stored."""
    from myomap.clients import actions as clients
    from myomap.visits import actions as visits
    from myomap.visits import recorded

    person = clients.ClientData("Template", "Client", dt.date(1980, 1, 1), "", "", True, True)
    client = clients.create_client(ctx, person)
    intake = clients.record_intake(ctx, client, clients.IntakeData(**_intake_fields(picture, side)))
    visit = visits.start_visit(ctx, client, intake)
    for n, (point, point_side, _) in enumerate(recorded.candidates(visit)[:3]):
        found = visits.PalpationData(
            point, point_side, tender=7 - 2 * n, taut_band=n < 2, referral=n == 0
        )
        visits.record_palpation(ctx, visit, found)
    visits.propose_plan(ctx, visit)
    version = visits.draft_note(ctx, visit)
    visit.refresh_from_db()
    return VisitTemplate(
        palpations=tuple(visit.palpations.values(*PALPATION_FIELDS)),
        steps=tuple(visit.plan_steps.values(*STEP_FIELDS)),
        excluded=list(visit.plan_excluded),
        note={
            "subjective": version.subjective,
            "objective": version.objective,
            "assessment": version.assessment,
            "plan": version.plan,
        },
    )


@dataclass
class _Rows:
    """The rows of one batch, in the order they are inserted (each needs the one before's
    primary keys)."""

    clients: list[Client] = field(default_factory=list)
    intakes: list[Intake] = field(default_factory=list)
    visits: list[tuple[Visit, str, VisitTemplate | None]] = field(default_factory=list)


def _write_batch(
    clinic: Clinic,
    therapist: User,
    numbers: list[int],
    templates: dict[tuple[str, str], VisitTemplate],
    now: dt.datetime,
) -> None:
    rows = _Rows()
    plans: list[tuple[random.Random, Picture, str]] = []
    for number in numbers:
        rng = random.Random(number)
        rows.clients.append(_client(rng, number, clinic, therapist, now))
        drawn = rng.random() < 0.85
        plans.append(
            (rng, rng.choice(PICTURES) if drawn else UNDRAWN, rng.choice(("left", "right")))
        )
    Client.objects.bulk_create(rows.clients)
    for client, (rng, picture, side) in zip(rows.clients, plans, strict=True):
        at = client.created_at + dt.timedelta(minutes=rng.randint(5, 60))
        rows.intakes.append(
            Intake(
                client=client,
                recorded_by=therapist,
                recorded_at=at,
                **_intake_fields(picture, side),
            )
        )
    Intake.objects.bulk_create(rows.intakes)
    for intake, (rng, picture, side) in zip(rows.intakes, plans, strict=True):
        template = templates.get((picture.name, side))
        started = intake.recorded_at
        for k in range(rng.choices(VISIT_COUNTS, VISIT_WEIGHTS)[0]):
            started = min(
                started + dt.timedelta(days=rng.randint(7, 21)), now - dt.timedelta(hours=3 - k)
            )
            stage = rng.choices(STAGES, STAGE_WEIGHTS)[0] if template else "started"
            visit = Visit(
                client_id=intake.client_id,
                intake=intake,
                therapist=therapist,
                started_at=started,
                plan_excluded=template.excluded
                if template and stage in ("drafted", "signed")
                else [],
            )
            rows.visits.append((visit, stage, template))
    Visit.objects.bulk_create([visit for visit, _, _ in rows.visits])
    _write_findings(therapist, rows)


def _client(
    rng: random.Random, number: int, clinic: Clinic, therapist: User, now: dt.datetime
) -> Client:
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    created = now - dt.timedelta(days=rng.randint(30, 3 * 365), minutes=rng.randint(0, 600))
    email = f"{_ascii(given)}.{_ascii(family)}{number}@example.org" if rng.random() < 0.6 else ""
    consent = {"at": created, "by": therapist, "how": "written"}
    return Client(
        clinic=clinic,
        given_name=given,
        family_name=family,
        date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 66 * 365)),
        email=email,
        phone=f"+44 7700 900{number % 1000:03d}" if rng.random() < 0.5 else "",
        **{f"treatment_consent_{k}": v for k, v in consent.items()},
        **{f"data_consent_{k}": v for k, v in consent.items()},
        created_by=therapist,
        created_at=created,
        create_key=_key(number),
    )


def _write_findings(therapist: User, rows: _Rows) -> None:
    palpations, steps, notes, drafts = [], [], [], []
    for visit, stage, template in rows.visits:
        if template is None or stage == "started":
            continue
        at = visit.started_at + dt.timedelta(minutes=10)
        palpations += [
            PalpationFinding(visit=visit, recorded_at=at, **p) for p in template.palpations
        ]
        if stage == "examined":
            continue
        steps += [PlanStep(visit=visit, **s) for s in template.steps]
        note = Note(visit=visit, created_at=at + dt.timedelta(minutes=30))
        notes.append(note)
        drafts.append((note, stage == "signed", template))
    PalpationFinding.objects.bulk_create(palpations)
    PlanStep.objects.bulk_create(steps)
    Note.objects.bulk_create(notes)
    NoteVersion.objects.bulk_create(
        NoteVersion(
            note=note,
            number=1,
            author=therapist,
            created_at=note.created_at,
            updated_at=note.created_at,
            signed_at=note.created_at + dt.timedelta(minutes=5) if signed else None,
            signed_by=therapist if signed else None,
            **template.note,
        )
        for note, signed, template in drafts
    )
