"""Demo data, so a new user can look around: a clinic, a therapist, a clinic admin and
three clients with histories, one of whom has a red flag. Built through the same actions
as the web UI, so it is audited like real work.

The demo passwords are public, so it exists only when asked for: `myomap serve --demo`
creates it on the first run of an empty database (demo accounts an admin deleted never come
back by themselves), `myomap demo` creates whatever of it is missing, and an existing
account is never changed. `myomap demo --remove` deletes the demo clinic with its accounts
and records; a server with secure settings refuses to start while a demo account exists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password
from django.db import IntegrityError, transaction

from myomap.accounts.models import Clinic, User


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_THERAPIST = DemoLogin("demo", "myomap-demo", "therapist")
DEMO_ADMIN = DemoLogin("demo-admin", "myomap-admin", "clinic admin")
CLINIC_NAME = "Demo Neuromuscular Clinic"


def database_is_empty() -> bool:
    """No account, clinic or audit event yet: a database nobody has used."""
    from myomap.audit.models import AuditEvent

    return not (User.objects.exists() or Clinic.objects.exists() or AuditEvent.objects.exists())


def create_demo_data_on_first_run() -> list[DemoLogin]:
    """Create the demo data if the database is empty; return the logins created (none on
    any later run, whatever was deleted since)."""
    try:
        with transaction.atomic():
            if not database_is_empty():
                return []
            return ensure_demo_data()
    except IntegrityError:  # another process was creating them at the same moment
        return []


@transaction.atomic
def ensure_demo_data() -> list[DemoLogin]:
    """Create whatever of the demo data is missing, without changing any existing account
    (a user already called "demo" stays as it is); return the logins created here, the
    only ones whose password is known to be the demo one."""
    clinic = Clinic.objects.filter(name=CLINIC_NAME).order_by("pk").first()
    new_clinic = clinic is None
    if clinic is None:
        clinic = Clinic.objects.create(name=CLINIC_NAME)
    created = []
    therapist = _user(DEMO_THERAPIST, clinic, User.Role.THERAPIST, "Dana", "Demo")
    if therapist is not None:
        created.append(DEMO_THERAPIST)
    if _user(DEMO_ADMIN, clinic, User.Role.ADMIN, "Alex", "Admin") is not None:
        created.append(DEMO_ADMIN)
    if new_clinic and therapist is not None:
        _clients(therapist)
    _weekly_hours(clinic)
    return created


DEMO_LOGINS = (DEMO_THERAPIST, DEMO_ADMIN)


def demo_accounts() -> list[str]:
    """The usernames of the accounts that are demo accounts: every member of the demo
    clinic, and an account with a demo username that still takes the public password."""
    names = set(User.objects.filter(clinic__name=CLINIC_NAME).values_list("username", flat=True))
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        # The hash is only read: checking must not rewrite it (as user.check_password may).
        if user is not None and check_password(login.password, user.password):
            names.add(user.username)
    return sorted(names)


@transaction.atomic
def remove_demo_data() -> list[str]:
    """Delete the demo clinic with its clients, their records and its accounts, and take
    the public password away from any other account that still has one (it is disabled,
    not deleted: it may have written records elsewhere). Return the usernames dealt with.
    The audit log keeps its events, with the names it copied."""
    from myomap.clients.models import Client
    from myomap.visits.models import Visit

    removed = demo_accounts()
    for clinic in Clinic.objects.filter(name=CLINIC_NAME):
        clients = Client.objects.filter(clinic=clinic)
        # Visits first: a visit protects its intake, so clients cannot go before them.
        Visit.objects.filter(client__in=clients).delete()
        clients.delete()
        User.objects.filter(clinic=clinic).delete()
        clinic.delete()
    for username in removed:
        user = User.objects.filter(username=username).first()
        if user is not None:
            user.set_unusable_password()
            user.is_active = False
            user.save(update_fields=["password", "is_active"])
    return removed


def _user(login: DemoLogin, clinic: Clinic, role: str, first: str, last: str) -> User | None:
    """The new demo user, or None when the username is taken (that user is left alone)."""
    if User.objects.filter(username=login.username).exists():
        return None
    return User.objects.create_user(
        username=login.username,
        password=login.password,
        first_name=first,
        last_name=last,
        clinic=clinic,
        role=role,
    )


# The demo therapist's week, so that the calendar offers times to book: Monday to Friday,
# 09:00-17:00 in the clinic's time.
DEMO_HOURS = tuple((weekday, dt.time(9), dt.time(17)) for weekday in range(5))


def _weekly_hours(clinic: Clinic) -> None:
    """Give the demo clinic's demo therapist their week when they have none (a demo made
    before the hours were part of it gets them on the next `myomap demo`); hours set since
    are left as they are."""
    from myomap.appointments.actions import set_weekly_hours
    from myomap.audit.log import Context

    therapist = User.objects.filter(
        username=DEMO_THERAPIST.username, clinic=clinic, role=User.Role.THERAPIST
    ).first()
    if therapist is None or therapist.weekly_hours.exists():
        return
    set_weekly_hours(Context(user=therapist, via="cli"), therapist, DEMO_HOURS)


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
        clients.ClientData("Ruth", "Okafor", dt.date(1958, 1, 22), "", "+44 20 7946 0000"),
    )
    # Ruth gave her consent on the phone before coming in: verbal, with who took it.
    ruth = clients.record_consent(
        ctx,
        ruth,
        clients.ConsentData(
            treatment_consent=True,
            data_consent=True,
            how="verbal",
            note="Agreed on the phone when booking; form to sign at the visit.",
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
