"""Named actions on the home program, the client's log and the pain diary. Shared by the
web pages (the therapist's editor, the client's phone) and the command line; each runs in
one transaction with its audit event, and stamps its rows with `ctx.now`.

The therapist builds and edits a program (`build_program`, `add_item`, `remove_item`,
`move_item`, `set_dose`): an exercise the client's screening rules out is refused with
the reason (`Invalid`, field "exercise"). The client logs an exercise (`log_exercise`)
and writes in the diary (`record_diary`): each entry carries an id made on the phone, so
an entry sent again after the network came back is recorded once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.core import program as core
from myomap.core.factors import suggested_findings
from myomap.core.kb import load_default
from myomap.program.models import DiaryEntry, LogEntry, Program, ProgramItem
from myomap.program.queries import contraindications_of
from myomap.records.errors import Forbidden, Invalid
from myomap.records.guards import require_clinic
from myomap.visits.models import Visit

MAX_NOTE = 500
# How far ahead of the server's clock a phone's own time is believed (its clock drifts).
CLOCK_SLACK = dt.timedelta(minutes=10)


def points_of(visit: Visit) -> list[core.TreatedPoint]:
    """The visit's palpated points: active when compression reproduced the familiar pain,
    treated when the visit's plan worked on it."""
    planned = {(s.trigger_point, s.side) for s in visit.plan_steps.all()}
    return [
        core.TreatedPoint(p.trigger_point, p.side, p.referral, (p.trigger_point, p.side) in planned)
        for p in visit.palpations.all()
    ]


def _item(program: Program, order: int, item: core.Item) -> ProgramItem:
    return ProgramItem(
        program=program,
        order=order,
        exercise=item.exercise,
        sets=item.dose.sets,
        repetitions=item.dose.repetitions,
        hold_seconds=item.dose.hold_seconds,
        days_per_week=item.dose.days_per_week,
        why=item.why[:300],
        trigger_point=item.trigger_point or "",
        side=item.side or "",
    )


def _current(program: Program) -> list[ProgramItem]:
    return list(program.items.filter(removed_at=None).order_by("order", "id"))


def _renumber(items: list[ProgramItem]) -> None:
    """Orders 1..n, as listed (removed items keep theirs, out of the program)."""
    for n, item in enumerate(items, start=1):
        if item.order != n:
            item.order = n
            item.save(update_fields=["order"])


def build_program(ctx: Context, visit: Visit) -> Program:
    """The client's program from this visit's findings and treated points (replacing the
    items of the program they had; items already logged stay for the log, removed)."""
    client = visit.client
    require_clinic(ctx, client)
    kb = load_default()
    built = core.build_program(
        kb,
        suggested_findings(kb, visit.intake.factors),
        points_of(visit),
        contraindications_of(client),
    )
    with transaction.atomic():
        program: Program
        program, _ = Program.objects.select_for_update().get_or_create(
            client=client,
            defaults={"visit": visit, "updated_by": ctx.user, "updated_at": ctx.now},
        )
        program.items.filter(removed_at=None, log__isnull=True).delete()
        program.items.filter(removed_at=None).update(removed_at=ctx.now)
        ProgramItem.objects.bulk_create(
            [_item(program, n, item) for n, item in enumerate(built.items, start=1)]
        )
        program.visit, program.updated_by, program.updated_at = visit, ctx.user, ctx.now
        program.left_out = [list(pair) for pair in built.left_out]
        program.save()
        names = ", ".join(kb.exercises[i.exercise].name for i in built.items) or "nothing"
        record(ctx, AuditEvent.Action.CREATE, program, summary=f"home program built: {names}")
    return program


def program_for_editing(ctx: Context, client: Client, visit: Visit | None) -> Program:
    """The client's program, made empty when they have none yet."""
    require_clinic(ctx, client)
    program: Program = Program.objects.get_or_create(
        client=client, defaults={"visit": visit, "updated_by": ctx.user, "updated_at": ctx.now}
    )[0]
    return program


def _touch(ctx: Context, program: Program) -> None:
    program.updated_by, program.updated_at = ctx.user, ctx.now
    program.save(update_fields=["updated_by", "updated_at"])


def add_item(ctx: Context, program: Program, exercise: str) -> ProgramItem:
    """Add an exercise at the end of the program at its usual dose; refused naming the
    reason when the client's screening rules it out."""
    client = program.client
    require_clinic(ctx, client)
    kb = load_default()
    if exercise not in kb.exercises:
        raise Invalid(f"unknown exercise {exercise!r}", "exercise")
    why = core.refusal(kb, exercise, contraindications_of(client))
    if why is not None:
        raise Invalid(
            f"{kb.exercises[exercise].name} is ruled out for this client: {why}", "exercise"
        )
    with transaction.atomic():
        items = _current(program)
        if any(i.exercise == exercise and not i.trigger_point for i in items):
            raise Invalid(f"{kb.exercises[exercise].name} is already in the program", "exercise")
        added = _item(
            program,
            len(items) + 1,
            core.Item(exercise, core.usual_dose(kb, exercise), "Added by the therapist"),
        )
        added.save()
        _touch(ctx, program)
        record(
            ctx, AuditEvent.Action.UPDATE, program, summary=f"added {kb.exercises[exercise].name}"
        )
    return added


def remove_item(ctx: Context, item: ProgramItem) -> None:
    program = item.program
    require_clinic(ctx, program.client)
    with transaction.atomic():
        if item.log.exists():
            item.removed_at = ctx.now
            item.save(update_fields=["removed_at"])
        else:
            item.delete()
        _renumber(_current(program))
        _touch(ctx, program)
        record(ctx, AuditEvent.Action.UPDATE, program, summary=f"removed {_name(item.exercise)}")


def move_item(ctx: Context, item: ProgramItem, direction: str) -> None:
    """Move an item one place up or down."""
    program = item.program
    require_clinic(ctx, program.client)
    if direction not in ("up", "down"):
        raise Invalid("move up or down", "direction")
    with transaction.atomic():
        items = _current(program)
        at = next(n for n, i in enumerate(items) if i.pk == item.pk)
        to = at - 1 if direction == "up" else at + 1
        if 0 <= to < len(items):
            items[at], items[to] = items[to], items[at]
            # Orders are not unique, so the swap needs no third place.
            _renumber(items)
            _touch(ctx, program)
            record(
                ctx,
                AuditEvent.Action.UPDATE,
                program,
                summary=f"moved {_name(item.exercise)} {direction}",
            )


def set_dose(ctx: Context, item: ProgramItem, dose: Mapping[str, int]) -> ProgramItem:
    """Set an item's sets, repetitions, hold seconds and days a week, each within the
    knowledge base's bounds; every field out of bounds is named, nothing is saved."""
    program = item.program
    require_clinic(ctx, program.client)
    problems = core.check_dose(load_default(), item.exercise, dose)
    if problems:
        field, _ = problems[0]
        raise Invalid("; ".join(message for _, message in problems), field)
    with transaction.atomic():
        for name in core.DOSE_FIELDS:
            setattr(item, name, dose[name])
        item.save(update_fields=list(core.DOSE_FIELDS))
        _touch(ctx, program)
        words = ", ".join(f"{core.DOSE_WORDS[n]} {dose[n]}" for n in core.DOSE_FIELDS)
        record(
            ctx,
            AuditEvent.Action.UPDATE,
            program,
            summary=f"dose of {_name(item.exercise)}: {words}",
        )
    return item


def _name(exercise: str) -> str:
    found = load_default().exercises.get(exercise)
    return found.name if found is not None else exercise


# ----------------------------------------------------------------------------- the client
def own_client(ctx: Context) -> Client:
    """The signed-in client's own record; Forbidden for anyone else."""
    user = ctx.user
    client = getattr(user, "client_record", None) if getattr(user, "role", "") == "client" else None
    if client is None:
        raise Forbidden("only a client signed in to their own portal may do this")
    return client  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Logged:
    entry: LogEntry
    created: bool  # False: the phone sent an entry already recorded

    def answer(self) -> dict[str, Any]:
        """What the phone is answered, on the web portal's queue and the API alike."""
        e = self.entry
        return {
            "id": e.pk,
            "entry_id": str(e.entry_id),
            "item": e.item_id,
            "exercise": e.item.exercise,
            "outcome": e.outcome,
            "pain": e.pain,
            "made_at": e.made_at,
            "created": self.created,
        }


def _entry_id(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Invalid("entry_id must be an id made on the phone (a UUID)", "entry_id") from None


def _pain(value: object, *, required: bool) -> int | None:
    low, high = core.PAIN_SCALE
    if value in (None, "") and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid(f"pain must be a whole number from {low} to {high}", "pain")
    try:
        number = int(value)
    except ValueError:
        raise Invalid(f"pain must be a whole number from {low} to {high}", "pain") from None
    if not low <= number <= high:
        raise Invalid(f"pain must be from {low} to {high}, not {number}", "pain")
    return number


def _made_at(ctx: Context, made_at: dt.datetime | None) -> dt.datetime:
    if made_at is None:
        return ctx.now
    if made_at.tzinfo is None:
        raise Invalid("made_at needs its time zone", "made_at")
    if made_at > ctx.now + CLOCK_SLACK:
        raise Invalid("made_at is in the future", "made_at")
    return made_at


def log_exercise(
    ctx: Context,
    item_id: int,
    *,
    entry_id: object,
    outcome: str,
    pain: object = None,
    made_at: dt.datetime | None = None,
) -> Logged:
    """The client logs one exercise of their program as done, skipped or hurt, with an
    optional pain 0-10. An entry id already recorded returns that entry, unchanged."""
    client = own_client(ctx)
    key = _entry_id(entry_id)
    existing = LogEntry.objects.filter(client=client, entry_id=key).first()
    if existing is not None:
        return Logged(existing, False)
    if outcome not in LogEntry.Outcome.values:
        raise Invalid("outcome must be done, skipped or hurt", "outcome")
    number = _pain(pain, required=False)
    when = _made_at(ctx, made_at)
    item = ProgramItem.objects.filter(pk=item_id, program__client=client).first()
    if item is None:
        raise Invalid("no such exercise in your program", "item")
    try:
        with transaction.atomic():
            entry = LogEntry.objects.create(
                client=client,
                item=item,
                entry_id=key,
                outcome=outcome,
                pain=number,
                made_at=when,
                recorded_at=ctx.now,
            )
            pain_words = f", pain {number}/10" if number is not None else ""
            record(
                ctx,
                AuditEvent.Action.CREATE,
                entry,
                summary=f"{_name(item.exercise)}: {outcome}{pain_words}",
            )
    except IntegrityError:
        # The same entry arrived twice at once: the other request recorded it.
        return Logged(LogEntry.objects.get(client=client, entry_id=key), False)
    return Logged(entry, True)


@dataclass(frozen=True)
class Noted:
    entry: DiaryEntry
    created: bool


def record_diary(
    ctx: Context,
    *,
    entry_id: object,
    region: str,
    pain: object,
    note: str = "",
    made_at: dt.datetime | None = None,
) -> Noted:
    """The client writes a pain diary entry: pain 0-10 in one body map region, with an
    optional note. Refused naming the field for an unknown region or pain outside 0-10."""
    noted = _record_diary(ctx, entry_id, [region] if region else [], pain, note, made_at, "region")
    return Noted(noted.entries[0], noted.created)


@dataclass(frozen=True)
class NotedRegions:
    entries: tuple[DiaryEntry, ...]
    created: bool  # False: the phone sent an entry already recorded


def record_diary_regions(
    ctx: Context,
    *,
    entry_id: object,
    regions: Sequence[object],
    pain: object,
    note: str = "",
    made_at: dt.datetime | None = None,
) -> NotedRegions:
    """One diary entry over several body map regions (the regions tapped on the map),
    one pain 0-10 and an optional note: a row per region, all or none. Refused naming the
    field ("regions", "pain", "note") when a region is unknown or the pain outside 0-10.
    The first region's row carries the phone's id, the others an id made from it, so the
    entry sent again is recorded once."""
    return _record_diary(ctx, entry_id, regions, pain, note, made_at, "regions")


def _row_ids(key: uuid.UUID, regions: Sequence[str]) -> list[uuid.UUID]:
    """The ids of an entry's rows: the phone's for the first region, one made from it
    for each other."""
    return [key] + [uuid.uuid5(key, region) for region in regions[1:]]


def _record_diary(
    ctx: Context,
    entry_id: object,
    regions: Sequence[object],
    pain: object,
    note: str,
    made_at: dt.datetime | None,
    field: str,
) -> NotedRegions:
    client = own_client(ctx)
    key = _entry_id(entry_id)
    known = load_default().regions
    if DiaryEntry.objects.filter(client=client, entry_id=key).exists():
        # Sent again: the rows that entry made (whatever regions come with it now).
        ids = [key, *(uuid.uuid5(key, region) for region in known)]
        found = DiaryEntry.objects.filter(client=client, entry_id__in=ids).order_by("id")
        return NotedRegions(tuple(found), False)
    chosen = list(dict.fromkeys(str(r) for r in regions))
    if not chosen:
        more = ": one body map region or more" if field == "regions" else ""
        raise Invalid(f"choose where the pain is{more}", field)
    unknown = [r for r in chosen if r not in known]
    if unknown:
        raise Invalid(f"unknown body region {unknown[0]!r}", field)
    number = _pain(pain, required=True)
    assert number is not None
    text = " ".join(str(note or "").split())
    if len(text) > MAX_NOTE:
        raise Invalid(f"the note is longer than {MAX_NOTE} characters", "note")
    when = _made_at(ctx, made_at)
    ids = _row_ids(key, chosen)
    try:
        with transaction.atomic():
            made = []
            for region, row_id in zip(chosen, ids, strict=True):
                entry = DiaryEntry.objects.create(
                    client=client,
                    entry_id=row_id,
                    region=region,
                    pain=number,
                    note=text,
                    made_at=when,
                    recorded_at=ctx.now,
                )
                record(
                    ctx,
                    AuditEvent.Action.CREATE,
                    entry,
                    summary=f"pain diary: {known[region].name} {number}/10",
                )
                made.append(entry)
    except IntegrityError:
        # The same entry arrived twice at once: the other request recorded it.
        found = DiaryEntry.objects.filter(client=client, entry_id__in=ids).order_by("id")
        return NotedRegions(tuple(found), False)
    return NotedRegions(tuple(made), True)
