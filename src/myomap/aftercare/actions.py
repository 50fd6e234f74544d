"""The check-in's actions: asked for when a session is signed, sent by a worker with a
fresh one-time link, answered by the client once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from myomap.aftercare import links, recheck, relief
from myomap.aftercare.models import CheckIn
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.core.kb import load_default
from myomap.jobs import actions as jobs
from myomap.jobs import mail
from myomap.messaging import send as messages
from myomap.messaging.channels import channels_for
from myomap.messaging.models import Purpose
from myomap.records.errors import Conflict, Invalid
from myomap.records.guards import require_clinic
from myomap.visits.models import Visit

KIND = "aftercare.check_in"
SALT = "myomap.aftercare.check-in"
LINK_VALID = links.LINK_VALID
LinkRefused = links.LinkRefused


def check_in_delay() -> dt.timedelta:
    """When after the session the check-in is sent: the start of the window in which
    soreness usually fades (aftercare.yaml `soreness_hours.low`, with its sources)."""
    care = load_default().aftercare
    if care is None:
        raise LookupError("the knowledge base has no aftercare entry")
    return dt.timedelta(hours=care.soreness_hours.low)


def ask_for_check_in(visit: Visit, signed_at: dt.datetime) -> CheckIn | None:
    """The check-in after `visit`, signed at `signed_at`: once per visit (an amendment
    signed later asks for nothing more), and only for a client who accepts aftercare
    messages on a channel they can be reached on (`channels_for`).
    Runs inside the signing's transaction: the job exists exactly when the signature does."""
    client = visit.client
    if not channels_for(client, Purpose.AFTERCARE) or CheckIn.objects.filter(visit=visit).exists():
        return None
    due = signed_at + check_in_delay()
    check_in = CheckIn.objects.create(
        clinic_id=client.clinic_id, client=client, visit=visit, session_at=signed_at, due_at=due
    )
    jobs.schedule(
        kind=KIND,
        key=f"check-in:visit:{visit.pk}",
        payload={"check_in": check_in.pk},
        now=signed_at,
        run_at=due,
        clinic_id=client.clinic_id,
        description="Soreness check-in",
    )
    relief.ask_first(visit, signed_at)
    return check_in


def send_check_in(check_in: CheckIn, now: dt.datetime) -> None:
    """Make a fresh one-time link and send it (a worker runs this when it is due)."""
    if check_in.answered_at is not None or not channels_for(check_in.client, Purpose.AFTERCARE):
        return  # answered, or turned off since: no link is made for a message not sent
    secret = links.issue(check_in, SALT, now)
    context = {
        "clinic": check_in.clinic.name,
        "given_name": check_in.client.given_name,
        "link": links.url(f"/aftercare/check-in/{secret}/"),
        "hours": links.hours_valid(),
    }
    messages.to_client(
        check_in.client,
        "check_in",
        context,
        clinic_id=check_in.clinic_id,
        key=f"check-in:{check_in.pk}:{now.isoformat()}",
        now=now,
    )


def check_in_for(secret: str, now: dt.datetime) -> CheckIn:
    """The check-in this link opens; `LinkRefused` saying why when it does not."""
    return links.open_link(CheckIn, secret, SALT, now, "check-in")


QUESTIONS = {
    "soreness": "How sore are you now (0-10)",
    "pain_now": "Your pain now (0-10)",
}


@transaction.atomic
def answer_check_in(
    ctx: Context,
    check_in: CheckIn,
    *,
    soreness: int,
    fading: bool,
    pain_now: int,
    new_numbness: bool,
    new_weakness: bool,
    bladder_or_bowel: bool,
) -> CheckIn:
    """The client's answers, once. Out of range is refused naming the question."""
    for field, value in (("soreness", soreness), ("pain_now", pain_now)):
        if not 0 <= value <= 10:
            raise Invalid(f"{QUESTIONS[field]}: answer 0 to 10, not {value}", field)
    updated = CheckIn.objects.filter(pk=check_in.pk, answered_at=None).update(
        answered_at=ctx.now,
        soreness=soreness,
        fading=fading,
        pain_now=pain_now,
        new_numbness=new_numbness,
        new_weakness=new_weakness,
        bladder_or_bowel=bladder_or_bowel,
    )
    if not updated:
        raise Conflict("this check-in was answered already: a link works once", "soreness")
    check_in.refresh_from_db()
    reasons = [
        words
        for flag, words in (
            (new_numbness, "new numbness"),
            (new_weakness, "new weakness"),
            (bladder_or_bowel, "bladder or bowel change"),
            (not fading, recheck.NOT_FADING),
        )
        if flag
    ]
    record(ctx, AuditEvent.Action.CREATE, check_in, summary="soreness check-in answered")
    if reasons:
        check_in.alert = "; ".join(reasons)
        check_in.save(update_fields=["alert"])
        alert_therapist(check_in, ctx.now)
    if not fading:
        recheck.ask(check_in, ctx.now)
    return check_in


def alert_therapist(check_in: CheckIn, now: dt.datetime, key: str = "") -> None:
    """An e-mail to the session's therapist at once (no client name or answers in it: the
    alerts page has them behind the sign-in)."""
    therapist = check_in.visit.therapist
    if not therapist.email:
        return
    alerts = links.url("/aftercare/alerts/")
    session = check_in.session_at.astimezone(check_in.clinic.zone)
    mail.send_later(
        key=key or f"check-in-alert:{check_in.pk}",
        to=[therapist.email],
        subject="A client's check-in needs you",
        body=(
            f"A client you treated on {session:%-d %b %Y at %H:%M} answered their check-in "
            f"with something to look at.\n\nOpen it in Myomap: {alerts}\n"
        ),
        clinic_id=check_in.clinic_id,
        now=now,
    )


@transaction.atomic
def mark_seen(ctx: Context, check_in: CheckIn) -> CheckIn:
    """The therapist has looked at the alert (and acted on it)."""
    require_clinic(ctx, check_in.client)
    if not check_in.alert:
        raise Invalid("this check-in raised no alert", "check_in")
    CheckIn.objects.filter(pk=check_in.pk, seen_at=None).update(seen_at=ctx.now, seen_by=ctx.user)
    check_in.refresh_from_db()
    record(ctx, AuditEvent.Action.UPDATE, check_in, summary="check-in alert seen")
    return check_in
