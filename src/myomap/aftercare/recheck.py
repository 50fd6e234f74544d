"""Soreness not fading by 48 h: when the 24 h check-in says the soreness is not fading, the
client is asked again at the knowledge base's hour after the session (aftercare.yaml
`soreness_recheck_hours`, 48 h, past the 24-36 h in which soreness usually fades). Still
not fading then alerts the therapist at once (on the check-in's alert, shown again on the
alerts page, and by e-mail) and tells the client what to do."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from myomap.aftercare import links
from myomap.aftercare.models import CheckIn, SorenessRecheck
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.core.kb import load_default
from myomap.jobs import actions as jobs
from myomap.jobs.kinds import kind
from myomap.jobs.models import Job
from myomap.messaging import send as messages
from myomap.messaging.channels import channels_for
from myomap.messaging.models import Purpose
from myomap.records.errors import Conflict, Invalid

KIND = "aftercare.soreness_recheck"
SALT = "myomap.aftercare.soreness-recheck"
NOT_FADING = "soreness not fading"  # the check-in's reason (actions.answer_check_in)
STILL = "soreness still not fading at {hours} h"  # replaces it when asked again


def recheck_hours() -> int | None:
    care = load_default().aftercare
    if care is None or care.soreness_recheck_hours is None:
        return None
    return care.soreness_recheck_hours.hours


def ask(check_in: CheckIn, now: dt.datetime) -> SorenessRecheck | None:
    """The second soreness question after a check-in that found it not fading (once)."""
    hours = recheck_hours()
    if hours is None or check_in.fading is not False:
        return None
    due = check_in.session_at + dt.timedelta(hours=hours)
    found, _ = SorenessRecheck.objects.get_or_create(
        check_in=check_in,
        defaults={"clinic_id": check_in.clinic_id, "client_id": check_in.client_id, "due_at": due},
    )
    jobs.schedule(
        kind=KIND,
        key=f"soreness-recheck:check-in:{check_in.pk}",
        payload={"recheck": found.pk},
        now=now,
        run_at=max(due, now),
        clinic_id=check_in.clinic_id,
        description=f"Soreness question again at {hours} h",
    )
    return found


@kind(KIND)
def send(job: Job) -> None:
    found = (
        SorenessRecheck.objects.select_related("clinic", "client")
        .filter(pk=job.payload["recheck"])
        .first()
    )
    if found is None or found.answered_at is not None:
        return
    if not channels_for(found.client, Purpose.AFTERCARE):
        return  # turned off since it was asked for: no link is made for a message not sent
    now = timezone.now()
    secret = links.issue(found, SALT, now)
    context = {
        "clinic": found.clinic.name,
        "given_name": found.client.given_name,
        "link": links.url(f"/aftercare/soreness/{secret}/"),
        "hours": links.hours_valid(),
    }
    messages.to_client(
        found.client, "recheck", context, clinic_id=found.clinic_id, key=job.key, now=now
    )


def recheck_for(secret: str, now: dt.datetime) -> SorenessRecheck:
    return links.open_link(SorenessRecheck, secret, SALT, now, "question")


@transaction.atomic
def answer(ctx: Context, found: SorenessRecheck, *, soreness: int, fading: bool) -> SorenessRecheck:
    """The client's answer, once; still not fading alerts the therapist."""
    from myomap.aftercare.actions import alert_therapist

    if not 0 <= soreness <= 10:
        raise Invalid(f"How sore are you now (0-10): answer 0 to 10, not {soreness}", "soreness")
    updated = SorenessRecheck.objects.filter(pk=found.pk, answered_at=None).update(
        answered_at=ctx.now, soreness=soreness, fading=fading
    )
    if not updated:
        raise Conflict("this question was answered already: a link works once", "soreness")
    found.refresh_from_db()
    record(ctx, AuditEvent.Action.CREATE, found, summary="soreness answered again")
    if not fading:
        check_in = (
            CheckIn.objects.select_for_update()
            .select_related("visit", "clinic")
            .get(pk=found.check_in_id)
        )
        hours = int((found.due_at - check_in.session_at).total_seconds() // 3600)
        still = STILL.format(hours=hours)
        reasons = [r for r in check_in.alert.split("; ") if r and r != NOT_FADING]
        check_in.alert = "; ".join([*reasons, still])[:200]
        check_in.seen_at, check_in.seen_by = None, None  # the therapist sees it again
        check_in.save(update_fields=["alert", "seen_at", "seen_by"])
        alert_therapist(check_in, ctx.now, key=f"soreness-recheck-alert:{found.pk}")
    return found
