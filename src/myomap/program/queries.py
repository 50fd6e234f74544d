"""Reads of the client's side, shared by the therapist's pages and the client's phone:
who sees which program, log and diary is `visible_clients` (a therapist their clinic's
clients', a client only their own), never a view's decision.

`today` is the client's list for a day, `week` their week at a glance, `adherence` the
therapist's view per exercise and week with the flags (stopped logging, pain during an
exercise) whose thresholds are the knowledge base's."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from myomap.clients.models import Client
from myomap.clients.screening import screen_intake
from myomap.core import program as core
from myomap.core.kb import load_default
from myomap.core.kb.clinical import Exercise
from myomap.program.models import DiaryEntry, LogEntry, Program, ProgramItem, Reminder


def contraindications_of(client: Client) -> set[str]:
    """The client's contraindications over all their intakes (the cautious reading: a
    condition on any intake still applies at home)."""
    found: set[str] = set()
    for intake in client.intakes.all():
        found |= {c.id for c in screen_intake(intake).contraindications}
    return found


def ruled_out(client: Client) -> dict[str, str]:
    """The exercises the client's screening now rules out at home, with the reason: an
    item added before a new intake named a blood thinner is held back from the client
    (and the handout) and flagged in the editor, never shown to do."""
    return core.refusals(load_default(), contraindications_of(client))


def program_of(user: Any, client: Client, *, with_visit: bool = False) -> Program | None:
    """The client's program if this user may see it (with the visit it was built from and
    that visit's intake, when asked)."""
    programs = Program.objects.visible_to(user).filter(client=client)
    if with_visit:
        programs = programs.select_related("visit", "visit__intake")
    found: Program | None = programs.first()
    return found


def current_items(program: Program | None) -> list[ProgramItem]:
    if program is None:
        return []
    return list(program.items.filter(removed_at=None).order_by("order", "id"))


def reminder_of(client: Client) -> Reminder | None:
    """The client's program reminder, if they set one."""
    found: Reminder | None = Reminder.objects.filter(client=client).first()
    return found


def client_zone(client: Client) -> zoneinfo.ZoneInfo:
    """The client's own clock, on which their days and weeks begin: the time zone they
    chose for their reminders, else their clinic's (never the server's)."""
    chosen = Reminder.objects.filter(client=client).values_list("time_zone", flat=True).first()
    return zoneinfo.ZoneInfo(chosen) if chosen else client.clinic.zone


# Under `timezone.override(client_zone(client))`: the day on the client's clock.
def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@dataclass(frozen=True)
class OwnPoint:
    """One of the client's own trigger points, for its self-release: its names and the
    body map region it is drawn in (None when the map has none on that side)."""

    trigger_point: str
    name: str
    muscle: str
    side: str
    region: str | None


def own_point(trigger_point: str, side: str) -> OwnPoint | None:
    """The point of a self-release item, as the portal draws it; None when the knowledge
    base no longer has it."""
    kb = load_default()
    point = kb.trigger_points.get(trigger_point)
    if point is None:
        return None
    base = point.location.region
    region = next(
        (
            rid
            for rid, r in kb.regions.items()
            if r.base == base and r.side in (side, None, "", "center", "midline")
        ),
        None,
    )
    muscle = kb.muscles.get(point.muscle)
    return OwnPoint(
        trigger_point, point.name, muscle.name if muscle else point.muscle, side, region
    )


@dataclass
class Row:
    """One exercise of the program with the knowledge base's words and today's log."""

    item: ProgramItem
    exercise: Exercise
    today: list[LogEntry] = field(default_factory=list)
    week: list[str] = field(default_factory=list)  # per day of the week: "done", "", ...

    @property
    def done_today(self) -> bool:
        return any(e.outcome == LogEntry.Outcome.DONE for e in self.today)

    @property
    def last_today(self) -> str:
        return self.today[-1].outcome if self.today else ""

    @property
    def precautions(self) -> tuple[str, ...]:
        """The exercise's precautions, and a self-release's own (the knowledge base's)."""
        extra = (
            core.rules(load_default()).self_release_precautions if self.item.trigger_point else ()
        )
        return (*self.exercise.precautions, *extra)


_MARK_RANK: dict[str, int] = {
    LogEntry.Outcome.DONE: 3,
    LogEntry.Outcome.HURT: 2,
    LogEntry.Outcome.SKIPPED: 1,
}


def rows(user: Any, client: Client, now: dt.datetime) -> tuple[list[Row], list[dt.date]]:
    """The client's exercises with today's log and the last seven days' outcomes, the
    days on the client's own clock (`client_zone`)."""
    with timezone.override(client_zone(client)):
        return _rows(user, client, now)


def _rows(user: Any, client: Client, now: dt.datetime) -> tuple[list[Row], list[dt.date]]:
    kb = load_default()
    held = ruled_out(client)
    items = [
        i
        for i in current_items(program_of(user, client))
        if i.exercise in kb.exercises and i.exercise not in held
    ]
    today = _local_day(now)
    days = [today - dt.timedelta(days=n) for n in range(6, -1, -1)]
    logs = LogEntry.objects.visible_to(user).filter(
        client=client, item__in=items, made_at__gte=_day_start(days[0])
    )
    by_item: dict[int, list[LogEntry]] = {}
    for entry in logs:
        by_item.setdefault(entry.item_id, []).append(entry)
    out = []
    for item in items:
        entries = by_item.get(item.pk, [])
        # A day's mark is its best outcome: done, else hurt, else skipped.
        per_day: dict[dt.date, str] = {}
        for e in entries:
            d = _local_day(e.made_at)
            if _MARK_RANK[e.outcome] > _MARK_RANK.get(per_day.get(d, ""), 0):
                per_day[d] = e.outcome
        out.append(
            Row(
                item=item,
                exercise=kb.exercises[item.exercise],
                today=[e for e in entries if _local_day(e.made_at) == today],
                week=[per_day.get(d, "") for d in days],
            )
        )
    return out, days


def streak(user: Any, client: Client, now: dt.datetime) -> int:
    """Days in a row, up to today, with at least one exercise done (today counts once
    something is done; an empty today does not break a streak that ran to yesterday),
    on the client's own clock."""
    with timezone.override(client_zone(client)):
        return _streak(user, client, now)


def _streak(user: Any, client: Client, now: dt.datetime) -> int:
    since = _day_start(_local_day(now) - dt.timedelta(days=60))
    done = {
        _local_day(m)
        for m in LogEntry.objects.visible_to(user)
        .filter(client=client, outcome=LogEntry.Outcome.DONE, made_at__gte=since)
        .values_list("made_at", flat=True)
    }
    day = _local_day(now)
    if day not in done:
        day -= dt.timedelta(days=1)
    count = 0
    while day in done:
        count += 1
        day -= dt.timedelta(days=1)
    return count


@dataclass(frozen=True)
class WeekCount:
    week_start: dt.date
    done: int
    skipped: int
    hurt: int
    target: int  # the days a week the dose asks for
    given: bool = True  # False for a week wholly before the program's visit: nothing was asked


@dataclass(frozen=True)
class ItemAdherence:
    item: ProgramItem
    name: str
    weeks: tuple[WeekCount, ...]


@dataclass(frozen=True)
class Adherence:
    items: tuple[ItemAdherence, ...]
    week_starts: tuple[dt.date, ...]
    last_logged: dt.datetime | None
    flags: tuple[str, ...]


def adherence(user: Any, client: Client, now: dt.datetime, weeks: int = 4) -> Adherence | None:
    """Per exercise and per week (Monday first, the last `weeks`, this one last): days
    done, skipped and hurt against the days a week asked; flags when the client has not
    logged for the knowledge base's `stopped_logging_days`, or logged "hurt" or a pain at
    or above its `pain_flag_from` in the last of those days. Weeks and days are on the
    client's own clock (`client_zone`)."""
    with timezone.override(client_zone(client)):
        return _adherence(user, client, now, weeks)


def _adherence(user: Any, client: Client, now: dt.datetime, weeks: int) -> Adherence | None:
    program = program_of(user, client, with_visit=True)
    if program is None:
        return None
    kb = load_default()
    r = core.rules(kb)
    items = current_items(program)
    today = _local_day(now)
    # A week that ended before the visit the program was built at asked nothing of the
    # client: "0/7 days" there would read as weeks missed.
    first_day = _local_day(program.visit.started_at) if program.visit is not None else None
    monday = today - dt.timedelta(days=today.weekday())
    starts = tuple(monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1))
    logs = list(
        LogEntry.objects.visible_to(user).filter(
            client=client, item__in=items, made_at__gte=_day_start(starts[0])
        )
    )
    per: dict[tuple[int, dt.date, str], set[dt.date]] = {}
    for e in logs:
        d = _local_day(e.made_at)
        start = d - dt.timedelta(days=d.weekday())
        per.setdefault((e.item_id, start, e.outcome), set()).add(d)
    out = []
    for item in items:
        ex = kb.exercises.get(item.exercise)
        counts = tuple(
            WeekCount(
                s,
                len(per.get((item.pk, s, "done"), ())),
                len(per.get((item.pk, s, "skipped"), ())),
                len(per.get((item.pk, s, "hurt"), ())),
                item.days_per_week,
                first_day is None
                or s + dt.timedelta(days=6) >= first_day
                or any((item.pk, s, o) in per for o in ("done", "skipped", "hurt")),
            )
            for s in starts
        )
        out.append(ItemAdherence(item, ex.name if ex else item.exercise, counts))
    last = LogEntry.objects.filter(client=client).order_by("-made_at").first()
    last_at = last.made_at if last is not None else None
    flags: list[str] = []
    quiet = r.stopped_logging_days.value
    since = now - dt.timedelta(days=quiet)
    if items and (last_at or program.updated_at) < since:
        flags.append(
            f"No exercise logged for {quiet} days or more"
            + (f" (last on {timezone.localtime(last_at):%d %b})" if last_at else " (never logged)")
        )
    recent = LogEntry.objects.filter(client=client, made_at__gte=since).select_related("item")
    sore = [e for e in recent if e.outcome == "hurt" or (e.pain or 0) >= r.pain_flag_from.value]
    if sore:
        names = sorted({_exercise_name(e.item.exercise) for e in sore})
        top = max((e.pain or 0) for e in sore)
        flags.append(
            f"Pain reported during {', '.join(names)} in the last {quiet} days"
            + (f" (up to {top}/10)" if top else "")
        )
    return Adherence(tuple(out), starts, last_at, tuple(flags))


def _exercise_name(exercise: str) -> str:
    found = load_default().exercises.get(exercise)
    return found.name if found is not None else exercise


def diary(user: Any, client: Client, limit: int = 50) -> list[DiaryEntry]:
    """The client's pain diary, newest first."""
    return list(DiaryEntry.objects.visible_to(user).filter(client=client)[:limit])


@dataclass(frozen=True)
class DiaryLine:
    """One diary entry as the client wrote it: the regions tapped together (a row
    each), one pain and one note."""

    made_at: dt.datetime
    regions: tuple[str, ...]
    pain: int
    note: str


def diary_entries(user: Any, client: Client, limit: int = 50) -> list[DiaryLine]:
    """The client's diary entries, newest first, each with all its regions: the rows
    one entry made share its time, pain and note, and each other row's id is made from
    the first's (`actions._row_ids`)."""
    rows = list(DiaryEntry.objects.visible_to(user).filter(client=client)[: limit * 4])
    at_once: dict[dt.datetime, list[DiaryEntry]] = {}
    for row in rows:
        at_once.setdefault(row.made_at, []).append(row)
    groups: dict[int, list[DiaryEntry]] = {}  # the first row's id -> the entry's rows
    for row in rows:
        head = next(
            (
                h
                for h in at_once[row.made_at]
                if h.pk != row.pk and uuid.uuid5(h.entry_id, row.region) == row.entry_id
            ),
            row,
        )
        groups.setdefault(head.pk, [head] if head.pk != row.pk else [])
        if row not in groups[head.pk]:
            groups[head.pk].append(row)
    lines = []
    for head_pk, together in groups.items():
        ordered = sorted(together, key=lambda r: (r.pk != head_pk, r.pk))
        first = ordered[0]
        lines.append(
            DiaryLine(first.made_at, tuple(r.region for r in ordered), first.pain, first.note)
        )
    return lines[:limit]


@dataclass(frozen=True)
class NoteSummary:
    """What the client reads of one signed session note: the visit's day, who treated
    them, when the note was signed, the muscles worked on (side) and the aftercare advice.
    Never the note's text: its S, O, A and P are written for the clinic (findings, red
    flags to ask about again, what to examine next)."""

    visit_id: int
    visit_date: dt.date
    therapist: str
    signed_at: dt.datetime
    worked_on: tuple[str, ...]
    aftercare: tuple[str, ...]


def _aftercare_words() -> tuple[str, ...]:
    care = load_default().aftercare
    if care is None:
        return ()
    sore = care.soreness_hours
    advice = care.soreness_advice.rstrip(".")
    return (f"Soreness may last {sore.low}\u2013{sore.high} hours; {advice}.",)


def note_summaries(user: Any, client: Client, *, most: int = 20) -> list[NoteSummary]:
    """The client summaries of the client's signed notes this user may read (a client
    their own only), newest visit first. A visit whose note has only a draft, or whose
    amendment is not signed yet, shows its last signed version's summary (or nothing)."""
    from myomap.visits.models import NoteVersion, PlanStep

    signed = (
        NoteVersion.objects.readable_by(user)
        .filter(note__visit__client=client, signed_at__isnull=False)
        .select_related("note__visit__therapist")
        .order_by("-note__visit__started_at", "-note__visit_id", "-number")
    )
    latest: dict[int, Any] = {}
    for version in signed:
        visit_id = version.note.visit_id
        if visit_id not in latest:
            latest[visit_id] = version
        if len(latest) == most:
            break
    kb = load_default()
    steps: dict[int, list[str]] = {}
    for step in PlanStep.objects.filter(visit_id__in=latest).order_by("visit_id", "order"):
        point = kb.trigger_points.get(step.trigger_point)
        muscle = kb.muscles.get(point.muscle) if point is not None else None
        name = f"{muscle.name} ({step.side})" if muscle is not None else step.trigger_point
        if name not in steps.setdefault(step.visit_id, []):
            steps[step.visit_id].append(name)
    advice = _aftercare_words()
    out = []
    for visit_id, version in latest.items():
        visit = version.note.visit
        who = visit.therapist
        out.append(
            NoteSummary(
                visit_id=visit_id,
                visit_date=timezone.localtime(visit.started_at, client.clinic.zone).date(),
                therapist=who.get_full_name() or who.get_username(),
                signed_at=version.signed_at,
                worked_on=tuple(steps.get(visit_id, ())),
                aftercare=advice if steps.get(visit_id) else (),
            )
        )
    return out
