"""`erase_client` and `set_retention`: the clinic admin's actions, one transaction each.

Erasing deletes the client's record and everything under it (intakes, visits, findings,
plans, notes and their versions, guided sessions, outcome scores, corrections), takes the
name off the client's own login (kept, disabled, so events that name it as the actor
still count), and redacts the client's audit events: their time, actor, action, way in
and kind of object stay; the summary, the client's label, the path and the address go."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from myomap.accounts.models import User
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.erasure.models import Erasure, Retention
from myomap.records.errors import Forbidden, Invalid
from myomap.visits.models import NoteVersion, Visit

REDACTED = "(erased on request)"
MAX_YEARS = 100


@dataclass(frozen=True)
class ErasureRequest:
    requested_by: str  # who asked: "the client, by letter"; not the client's name
    requested_on: dt.date


def _require_admin(ctx: Context) -> None:
    if not getattr(ctx.user, "is_clinic_admin", False):
        raise Forbidden("only the clinic admin may do this")


@transaction.atomic
def set_retention(ctx: Context, years: int) -> Retention:
    """Set the clinic's legal minimum for keeping a signed record, in years."""
    _require_admin(ctx)
    if not 0 <= years <= MAX_YEARS:
        raise Invalid(f"give the years as a whole number from 0 to {MAX_YEARS}", "years")
    rule, _ = Retention.objects.update_or_create(
        clinic_id=ctx.user.clinic_id,
        defaults={"signed_record_years": years, "set_by": ctx.user, "set_at": ctx.now},
    )
    what = f"retention of signed records set to {years} years"
    record(ctx, AuditEvent.Action.UPDATE, None, summary=what)
    return rule


def erasable_from(client: Client) -> dt.datetime | None:
    """When the client's record may be erased: None if now (no signed note), else the day
    the newest signature has been kept the clinic's minimum (refused until it is set)."""
    newest = (
        NoteVersion.objects.filter(note__visit__client=client, signed_at__isnull=False)
        .order_by("-signed_at")
        .values_list("signed_at", flat=True)
        .first()
    )
    if newest is None:
        return None
    rule = Retention.objects.filter(clinic_id=client.clinic_id).first()
    if rule is None:
        raise Invalid(
            "the record holds signed notes: set the clinic's legal minimum for keeping "
            "signed records first (myomap erase --retention-years N)",
            "retention",
        )
    try:
        return newest.replace(year=newest.year + rule.signed_record_years)
    except ValueError:  # signed on 29 February
        return newest.replace(year=newest.year + rule.signed_record_years, day=28)


@transaction.atomic
def erase_client(ctx: Context, client: Client, request: ErasureRequest) -> Erasure:
    _require_admin(ctx)
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.clinic_id != ctx.user.clinic_id:
        raise Forbidden("this client belongs to another clinic")
    who = request.requested_by.strip()
    if len(who) < 3:
        raise Invalid(
            "say who asked for the erasure (e.g. 'the client, in writing')", "requested_by"
        )
    if request.requested_on > ctx.now.date():
        raise Invalid("the request cannot be dated in the future", "requested_on")
    until = erasable_from(client)
    if until is not None and until > ctx.now:
        raise Invalid(
            f"the record holds a note signed within the clinic's legal minimum: it may be "
            f"erased from {until:%Y-%m-%d}",
            "retention",
        )
    number, login = client.pk, client.user_id
    events = AuditEvent.objects.filter(client=client)
    redacted = events.update(
        client_label="", summary=REDACTED, path="", ip=None, user_agent="", object_id=""
    )
    deleted: Counter[str] = Counter()
    for visit in Visit.objects.filter(client=client):  # before the intakes they protect
        deleted.update(visit.delete()[1])
    deleted.update(client.delete()[1])
    if login is not None:
        _forget_login(login, number)
    erasure = Erasure.objects.create(
        clinic_id=ctx.user.clinic_id,
        client_number=number,
        requested_by=who[:200],
        requested_on=request.requested_on,
        erased_by=ctx.user,
        erased_at=ctx.now,
        events_redacted=redacted,
        rows_deleted=dict(sorted(deleted.items())),
    )
    record(ctx, AuditEvent.Action.DELETE, erasure, summary=f"client {number} erased on request")
    return erasure


def _forget_login(user_id: int, number: int) -> None:
    """The client's own login keeps its row (audit events name it as the actor) but not
    its name, address or password, and can no longer sign in."""
    user = User.objects.get(pk=user_id)
    user.username = f"erased-client-{number}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    AuditEvent.objects.filter(actor_id=user_id).update(actor_name=user.username)


@dataclass(frozen=True)
class Preview:
    """What `erase_client` would do now: the rows that would go (model label -> rows),
    the audit events that would be redacted, or why it would be refused ("" if not)."""

    rows_deleted: dict[str, int]
    events_redacted: int
    refusal: str = ""


class _RolledBack(Exception):
    def __init__(self, erasure: Erasure) -> None:
        super().__init__("the erasure's dry run")
        self.erasure = erasure


def preview(ctx: Context, client: Client) -> Preview:
    """The erasure run and rolled back, so what the page says would go is exactly what
    `erase_client` deletes and redacts; nothing is changed."""
    try:
        with transaction.atomic():
            done = erase_client(ctx, client, ErasureRequest("a dry run", ctx.now.date()))
            raise _RolledBack(done)
    except _RolledBack as back:
        return Preview(dict(back.erasure.rows_deleted), back.erasure.events_redacted)
    except Invalid as exc:
        return Preview({}, AuditEvent.objects.filter(client=client).count(), exc.message)
