"""Relief followed day by day: on the knowledge base's days after a session
(aftercare.yaml `relief_check_days`: 4, 7, 10, 14), the client is asked "is the pain
back?" through a one-time link; each question sent asks for the next, a "back" answer
cancels what is still to come, and how long the relief lasted is worked out from the
answers (`myomap.core.aftercare.lasted`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from myomap.aftercare import links
from myomap.aftercare.models import ReliefCheck
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.core import aftercare as core
from myomap.core.kb import load_default
from myomap.jobs import actions as jobs
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job
from myomap.messaging import send as messages
from myomap.messaging.channels import channels_for
from myomap.messaging.models import Purpose
from myomap.records.errors import Conflict, Invalid
from myomap.visits.models import Visit

KIND = "aftercare.relief"
SALT = "myomap.aftercare.relief"


def schedule_days() -> tuple[int, ...]:
    care = load_default().aftercare
    if care is None or care.relief_check_days is None:
        return ()
    return care.relief_check_days.days


def _key(visit_id: int, day: int) -> str:
    return f"relief:visit:{visit_id}:day:{day}"


def ask(visit: Visit, session_at: dt.datetime, day: int, now: dt.datetime) -> ReliefCheck:
    """The question of `day` after the session (once: the same day again is the same)."""
    check, _ = ReliefCheck.objects.get_or_create(
        visit=visit,
        day=day,
        defaults={
            "clinic_id": visit.client.clinic_id,
            "client": visit.client,
            "due_at": session_at + dt.timedelta(days=day),
        },
    )
    jobs.schedule(
        kind=KIND,
        key=_key(visit.pk, day),
        payload={"relief_check": check.pk},
        now=now,
        run_at=check.due_at,
        clinic_id=visit.client.clinic_id,
        description=f"Relief question (day {day})",
    )
    return check


def ask_first(visit: Visit, session_at: dt.datetime) -> ReliefCheck | None:
    first = core.next_day(schedule_days(), after=None)
    if first is None or not channels_for(visit.client, Purpose.AFTERCARE):
        return None
    return ask(visit, session_at, first, session_at)


def _over(visit_id: int) -> bool:
    return ReliefCheck.objects.filter(visit_id=visit_id, back=True).exists()


@kind(KIND)
def send(job: Job) -> None:
    check = (
        ReliefCheck.objects.select_related("clinic", "client", "visit", "visit__client")
        .filter(pk=job.payload["relief_check"])
        .first()
    )
    if check is None or check.answered_at is not None or _over(check.visit_id):
        return  # the pain is back already: nothing more is asked
    if not channels_for(check.client, Purpose.AFTERCARE):
        return  # turned off since it was asked for: no link, and nothing more asked
    now = timezone.now()
    following = core.next_day(schedule_days(), after=check.day)
    if following is not None:
        ask(check.visit, session_at(check), following, now)
    secret = links.issue(check, SALT, now)
    context = {
        "clinic": check.clinic.name,
        "given_name": check.client.given_name,
        "day": check.day,
        "link": links.url(f"/aftercare/relief/{secret}/"),
        "hours": links.hours_valid(),
    }
    messages.to_client(
        check.client, "relief", context, clinic_id=check.clinic_id, key=job.key, now=now
    )


def check_for(secret: str, now: dt.datetime) -> ReliefCheck:
    return links.open_link(ReliefCheck, secret, SALT, now, "question")


@transaction.atomic
def answer(ctx: Context, check: ReliefCheck, *, back: bool, pain_now: int) -> ReliefCheck:
    """The client's answer, once; "back" ends the questions still to come."""
    if not 0 <= pain_now <= 10:
        raise Invalid(f"Your pain now (0-10): answer 0 to 10, not {pain_now}", "pain_now")
    updated = ReliefCheck.objects.filter(pk=check.pk, answered_at=None).update(
        answered_at=ctx.now, back=back, pain_now=pain_now
    )
    if not updated:
        raise Conflict("this question was answered already: a link works once", "back")
    check.refresh_from_db()
    if back:
        later = ReliefCheck.objects.filter(visit_id=check.visit_id, day__gt=check.day)
        for day in later.values_list("day", flat=True):
            jobs.cancel(_key(check.visit_id, day), ctx.now)
    record(ctx, AuditEvent.Action.CREATE, check, summary=f"relief answered (day {check.day})")
    return check


def lasted(visit_id: int) -> core.Relief | None:
    """How long this session's relief lasted, from the answers so far."""
    answers = ReliefCheck.objects.filter(visit_id=visit_id, back__isnull=False)
    pairs = [(day, bool(back)) for day, back in answers.values_list("day", "back")]
    return core.lasted(schedule_days(), pairs)


def suggestion(client_id: int) -> core.Rebooking | None:
    """When this client should come back, in days after a session, from the relief of
    their sessions so far (oldest first) or, until one has ended, the knowledge base's
    usual interval; None without an aftercare entry in the knowledge base."""
    care = load_default().aftercare
    if care is None:
        return None
    visits: list[int] = []
    for visit_id in (
        ReliefCheck.objects.filter(client_id=client_id)
        .order_by("due_at", "pk")
        .values_list("visit_id", flat=True)
    ):
        if visit_id not in visits:
            visits.append(visit_id)
    measured = [r for v in visits if (r := lasted(v))]
    usual = care.rebook_days.usual
    assert usual is not None  # the knowledge base refuses an aftercare entry without one
    return core.suggest_rebooking(measured, care.relief_days.low, care.relief_days.high, usual)


def session_at(check: ReliefCheck) -> dt.datetime:
    """When the session this question follows was signed."""
    return check.due_at - dt.timedelta(days=check.day)
