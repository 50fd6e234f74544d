"""Demo data created on the first run of `myomap serve`, so a new user can look around:
a clinic, a therapist, a clinic admin and three clients with histories, one of whom has a
red flag. Built through the same actions as the web UI, so it is audited like real work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from myomap.accounts.models import Clinic, User


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_THERAPIST = DemoLogin("demo", "myomap-demo", "therapist")
DEMO_ADMIN = DemoLogin("demo-admin", "myomap-admin", "clinic admin")
CLINIC_NAME = "Demo Neuromuscular Clinic"


@transaction.atomic
def ensure_demo_data() -> list[DemoLogin]:
    """Create the demo clinic if it is missing; return the logins to print."""
    clinic, created = Clinic.objects.get_or_create(name=CLINIC_NAME)
    therapist = _user(DEMO_THERAPIST, clinic, User.Role.THERAPIST, "Dana", "Demo")
    _user(DEMO_ADMIN, clinic, User.Role.ADMIN, "Alex", "Admin")
    if created or not clinic.clients.exists():
        _clients(therapist)
    return [DEMO_THERAPIST, DEMO_ADMIN]


def _user(login: DemoLogin, clinic: Clinic, role: str, first: str, last: str) -> User:
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={"first_name": first, "last_name": last, "clinic": clinic, "role": role},
    )
    if created:
        user.set_password(login.password)
        user.save(update_fields=["password"])
    elif user.clinic_id is None:  # a demo login from before clinics existed
        user.clinic, user.role = clinic, role
        user.save(update_fields=["clinic", "role"])
    return user


def _clients(therapist: User) -> None:
    from myomap.audit.log import Context
    from myomap.clients import actions as clients
    from myomap.visits import actions as visits

    ctx = Context(user=therapist, via="cli")
    maria = clients.create_client(
        ctx,
        clients.ClientData(
            "Maria", "Lopez", dt.date(1979, 4, 12), "maria@example.org", "", True, True
        ),
    )
    intake = clients.record_intake(
        ctx,
        maria,
        clients.IntakeData(
            complaint="Aching low back on the left for six weeks, worse after gardening; "
            "pain into the left buttock when getting up from a chair.",
            pain_drawing={
                "lumbar-lower-left": 6,
                "buttock-upper-left": 7,
                "si-joint-left": 5,
                "hip-lateral-left": 3,
            },
            history="Desk work, 8 hours a day. Gardening at weekends.",
            medications="Ibuprofen when needed.",
            factor_answers={},
        ),
    )
    visit = visits.start_visit(ctx, maria, intake)
    visits.record_palpation(
        ctx,
        visit,
        visits.PalpationData(
            "gluteus-medius-posterior", "left", tender=7, taut_band=True, referral=True
        ),
    )
    visits.record_palpation(
        ctx,
        visit,
        visits.PalpationData("quadratus-lumborum-deep-cranial", "left", tender=5, taut_band=True),
    )
    visits.record_palpation(ctx, visit, visits.PalpationData("piriformis-medial", "left", tender=0))
    visits.propose_plan(ctx, visit)
    version = visits.draft_note(ctx, visit)
    visits.sign_note(ctx, visit, revision=version.revision)

    tom = clients.create_client(
        ctx,
        clients.ClientData("Tom", "Becker", dt.date(1990, 9, 3), "tom@example.org", "", True, True),
    )
    clients.record_intake(
        ctx,
        tom,
        clients.IntakeData(
            complaint="Right outer hip and thigh pain after a half-marathon; "
            "hurts to lie on that side.",
            pain_drawing={
                "hip-lateral-right": 7,
                "thigh-lateral-proximal-right": 5,
                "buttock-mid-right": 3,
            },
            history="Runs 30 km a week.",
        ),
    )

    ruth = clients.create_client(
        ctx,
        clients.ClientData(
            "Ruth", "Okafor", dt.date(1958, 1, 22), "", "+44 20 7946 0000", True, True
        ),
    )
    clients.record_intake(
        ctx,
        ruth,
        clients.IntakeData(
            complaint="Severe low back pain since yesterday with numbness between the legs.",
            pain_drawing={"lumbar-lower-left": 8, "lumbar-lower-right": 8, "sacrum": 6},
            red_flag_answers={"cauda-equina-saddle": True},
        ),
    )
