"""Named actions on outcomes: record a questionnaire response, void or correct one, set
the clinic's schedule.
Shared by the web pages, the API and the command line; each runs in one transaction
with its audit event, and stamps its rows with `ctx.now`.

A response is scored by the core (`myomap.core.outcomes.score`) before anything is
stored: a missing or out-of-range answer is refused as `Invalid`, naming the item, and
nothing is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import yaml
from django.db import transaction
from django.utils import timezone

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.actions import require_consent
from myomap.clients.models import Client
from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes import OutcomeError, score
from myomap.core.outcomes.activities import key
from myomap.core.outcomes.answers import count_of
from myomap.core.outcomes.scoring import number
from myomap.core.outcomes.wording import answer_values, as_document, parse_wording
from myomap.outcomes.models import LicensedWording, QuestionnaireResponse, ScheduleRule
from myomap.records.errors import Conflict, Forbidden, Invalid
from myomap.records.guards import require_clinic, require_staff
from myomap.visits import queries as visit_queries
from myomap.visits.actions import lock_visit, record_changed
from myomap.visits.models import Visit

MAX_ACTIVITY = 100  # characters of one PSFS activity, in the client's words
MAX_EVERY_NTH = 52
MIN_REASON = 10  # characters of a void's reason: "entered in error" says why, "x" does not
MAX_REASON = 300


@dataclass(frozen=True)
class ResponseData:
    """One questionnaire as answered: `answers` in item order (None unanswered) or by
    item id; `activities` the PSFS activities in the client's words; `taken_at` when it
    was answered (the action's moment unless given)."""

    instrument: str
    answers: Sequence[int | float | None] | Mapping[str, int | float | None]
    activities: Sequence[str] = ()
    visit: Visit | None = None
    taken_at: dt.datetime | None = None


def instrument_of(instrument_id: str) -> Instrument:
    """The knowledge base's instrument, or Invalid naming the field."""
    instruments = load_default().instruments
    found = instruments.get(instrument_id)
    if found is None:
        known = ", ".join(sorted(instruments))
        raise Invalid(f"unknown instrument {instrument_id!r}; known: {known}", "instrument")
    return found


@transaction.atomic
def record_response(ctx: Context, client: Client, data: ResponseData) -> QuestionnaireResponse:
    """Score and store one questionnaire of `client`, optionally taken at `data.visit`:
    entered by staff of the client's clinic, or by the client themself in their portal
    (their own record only, answered now and not at a visit)."""
    if is_own_client(ctx, client):
        if data.visit is not None or data.taken_at is not None:
            raise Forbidden("a client answers a questionnaire now, not for a visit or a day")
    else:
        require_clinic(ctx, client)
    if data.visit is not None and data.visit.client_id != client.pk:
        raise Invalid("that visit belongs to another client", "visit")
    require_consent(client)
    return _store(ctx, client, data)


def is_own_client(ctx: Context, client: Client) -> bool:
    """The one acting is `client`'s own login (a client user linked to this record)."""
    user = ctx.user
    return (
        getattr(user, "role", "") == "client"
        and getattr(user, "pk", None) is not None
        and client.user_id == user.pk
    )


def _store(
    ctx: Context,
    client: Client,
    data: ResponseData,
    replaces: QuestionnaireResponse | None = None,
) -> QuestionnaireResponse:
    instrument = instrument_of(data.instrument)
    try:
        scored = score(instrument, data.answers)
    except OutcomeError as exc:
        raise Invalid(str(exc), exc.item or "answers") from None
    taken_at = data.taken_at or ctx.now
    if taken_at > ctx.now:
        raise Invalid("the questionnaire cannot have been answered in the future", "taken_at")
    activities = _activities(instrument, data.activities, scored_answers(instrument, data))
    if data.visit is not None:
        # the visit's unsigned note learns of it, as of any change to the visit's record
        _note_learns(ctx, data.visit, f"{instrument.short} {number(scored.score)} recorded")
    response = QuestionnaireResponse.objects.create(
        client=client,
        visit=data.visit,
        **QuestionnaireResponse.fields_of(scored),
        activities=activities,
        taken_at=taken_at,
        entered_by=ctx.user,
        entered_at=ctx.now,
        via=_via(ctx, client),
        replaces=replaces,
    )
    band = f" ({scored.band})" if scored.band else ""
    summary = f"{instrument.short} {number(scored.score)}{band} recorded"
    if replaces is not None:
        summary += f", correcting {_named(replaces)}"
    record(ctx, AuditEvent.Action.CREATE, response, client=client, summary=summary)
    return response


def _via(ctx: Context, client: Client) -> str:
    if is_own_client(ctx, client):
        return QuestionnaireResponse.Via.PORTAL
    return ctx.via if ctx.via in QuestionnaireResponse.Via.values else "web"


def _note_learns(ctx: Context, visit: Visit, what: str) -> None:
    """The visit's note, if drafted and not signed, is told its record changed (its text
    no longer lists the visit's scores as they are: redraft or check it before signing).
    A signed note is not touched: what it says was signed; an amendment may add it.
    Consent is the caller's to check: recording needs it, voiding an error does not."""
    lock_visit(ctx, visit, consent=False)
    latest = visit_queries.latest_version(visit)
    if latest is not None and not latest.is_signed:
        record_changed(latest, what)


def _named(response: QuestionnaireResponse) -> str:
    """'RMDQ 14 of 3 Dec 2026'."""
    short = load_default().instruments[response.instrument].short
    local = timezone.localtime(response.taken_at)
    return f"{short} {number(response.total)} of {local.day} {local:%b %Y}"


def _reason(reason: str, verb: str) -> str:
    said = " ".join(reason.split())
    if len(said) < MIN_REASON:
        raise Invalid(
            f"say why the response is {verb} (at least {MIN_REASON} characters), "
            "e.g. 'entered for the wrong client'",
            "reason",
        )
    if len(said) > MAX_REASON:
        raise Invalid(f"the reason is longer than {MAX_REASON} characters", "reason")
    return said


def _void(
    ctx: Context, response: QuestionnaireResponse, reason: str, verb: str = "voided"
) -> QuestionnaireResponse:
    """Lock the response, refuse one voided already, void it; audited."""
    require_clinic(ctx, response.client)
    why = _reason(reason, verb)
    locked = QuestionnaireResponse.objects.select_for_update().get(pk=response.pk)
    if locked.voided_at is not None:
        local = timezone.localtime(locked.voided_at)
        raise Conflict(
            f"{_named(locked)} was voided already on {local.day} {local:%b %Y} "
            f"({locked.void_reason})",
            "reason",
        )
    if locked.visit is not None:
        _note_learns(ctx, locked.visit, f"{_named(locked)} voided")
    locked.voided_at, locked.voided_by, locked.void_reason = ctx.now, ctx.user, why
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    done = "voided" if verb == "voided" else "voided and corrected"
    summary = f"{_named(locked)} {done}: {why}"
    record(ctx, AuditEvent.Action.UPDATE, locked, client=locked.client, summary=summary)
    return locked


@transaction.atomic
def void_response(
    ctx: Context, response: QuestionnaireResponse, reason: str
) -> QuestionnaireResponse:
    """Void a response entered in error, saying why: it is kept, with who voided it, when
    and why (audited), and left out of the plots, the change, the clinic report and the
    note. Refused (409) when voided already; nothing is ever deleted."""
    return _void(ctx, response, reason)


@transaction.atomic
def correct_response(
    ctx: Context, response: QuestionnaireResponse, data: ResponseData, reason: str
) -> QuestionnaireResponse:
    """Correct a response: the old one is voided with `reason` and a new one, scored from
    `data`, replaces it, taken at the same visit and (unless `data.taken_at` says
    otherwise) at the same time. One transaction: refused as a whole, nothing changes."""
    require_clinic(ctx, response.client)
    if data.instrument != response.instrument:
        raise Invalid(
            "a correction is of the same questionnaire: void this one and enter the other",
            "instrument",
        )
    require_consent(response.client)
    old = _void(ctx, response, reason, "corrected")
    fixed = ResponseData(
        data.instrument,
        data.answers,
        activities=data.activities,
        visit=old.visit,
        taken_at=data.taken_at or old.taken_at,
    )
    return _store(ctx, old.client, fixed, replaces=old)


def scored_answers(instrument: Instrument, data: ResponseData) -> list[object]:
    """The answers in item order (given in order, or by item id)."""
    given = data.answers
    if isinstance(given, Mapping):
        return [given.get(item.id) for item in instrument.items]
    ordered: list[object] = [*given]
    return ordered + [None] * (len(instrument.items) - len(ordered))


def _activities(
    instrument: Instrument, given: Sequence[str], answers: Sequence[object]
) -> list[str]:
    """The activities the client named (the PSFS), one per item: each rated item names
    its activity and each named one is rated; none for an instrument that names nothing."""
    names = [" ".join(str(name).split()) for name in given]
    named = [item for item in instrument.items if item.named_by_client]
    if not named:
        if any(names):
            raise Invalid(f"{instrument.short} has no activities to name", "activities")
        return []
    if len(names) > len(instrument.items):
        raise Invalid(
            f"{instrument.short} has {count_of(instrument, len(instrument.items))}, "
            f"got {len(names)} named",
            "activities",
        )
    names += [""] * (len(instrument.items) - len(names))
    triples = list(zip(instrument.items, names, answers, strict=False))
    for item, name, _ in triples:
        if len(name) > MAX_ACTIVITY:
            raise Invalid(
                f"{instrument.short} {instrument.item_word.one} {item.number}: the name is "
                f"longer than {MAX_ACTIVITY} characters",
                f"{item.id}-activity",
            )
    # every rated item without its activity's name, not only the first
    unnamed = [i for i, name, a in triples if i.named_by_client and a is not None and not name]
    if unnamed:
        numbers = [str(i.number) for i in unnamed]
        word = instrument.item_word
        which = (
            f"{word.one} {numbers[0]}"
            if len(numbers) == 1
            else f"{word.many} {', '.join(numbers[:-1])} and {numbers[-1]}"
        )
        each = "" if len(numbers) == 1 else " for each"
        raise Invalid(
            f"{instrument.short} {which}: name the activity the client rated{each}",
            f"{unnamed[0].id}-activity",
        )
    for item, name, answer in triples:
        if item.named_by_client and answer is None and name:
            values = answer_values(instrument, item)
            raise Invalid(
                f"{instrument.short} {instrument.item_word.one} {item.number}: rate {name!r} "
                f"from {values[0]} to "
                f"{values[-1]}, or leave the activity out",
                item.id,
            )
    # each activity is compared with itself later, matched by its name: one name, one item
    seen: dict[str, int] = {}
    for item, name, _ in triples:
        if key(name) and key(name) in seen:
            raise Invalid(
                f"{instrument.short} {instrument.item_word.many} {seen[key(name)]} and "
                f"{item.number} both name {name.strip()!r}: name each activity once",
                f"{item.id}-activity",
            )
        seen.setdefault(key(name), item.number)
    return names if any(names) else []


@dataclass(frozen=True)
class ScheduleData:
    """When one instrument is due: at intake, every visit, every n-th visit, discharge."""

    at_intake: bool = False
    every_visit: bool = False
    every_nth: int | None = None
    at_discharge: bool = False


@transaction.atomic
def save_schedule(ctx: Context, rules: Mapping[str, ScheduleData]) -> list[ScheduleRule]:
    """Replace the clinic's schedule (a clinic admin's setting); instruments left out or
    with nothing ticked are not scheduled."""
    require_staff(ctx)
    if not getattr(ctx.user, "is_clinic_admin", False):
        raise Forbidden("only a clinic admin may change the clinic's schedule")
    for instrument_id, rule in rules.items():
        instrument = instrument_of(instrument_id)
        if rule.every_nth is not None and not 2 <= rule.every_nth <= MAX_EVERY_NTH:
            raise Invalid(
                f"{instrument.short}: every n-th visit must be from 2 to {MAX_EVERY_NTH} "
                "(every visit is its own choice)",
                f"{instrument_id}-every_nth",
            )
    clinic_id = ctx.user.clinic_id
    before = {
        r.instrument: r for r in ScheduleRule.objects.select_for_update().filter(clinic=clinic_id)
    }
    ScheduleRule.objects.filter(clinic=clinic_id).delete()
    kept = [
        ScheduleRule(clinic_id=clinic_id, instrument=instrument_id, **vars(rule))
        for instrument_id, rule in rules.items()
    ]
    kept = ScheduleRule.objects.bulk_create([r for r in kept if not r.is_empty])
    words = ", ".join(describe(rule) for rule in kept) or "nothing scheduled"
    changed = {r.instrument: describe(r) for r in kept} != {
        k: describe(r) for k, r in before.items()
    }
    if changed:
        record(ctx, AuditEvent.Action.UPDATE, None, summary=f"outcome schedule: {words}"[:300])
    return kept


def describe(rule: ScheduleRule) -> str:
    """'RMDQ at intake, every 4th visit, at discharge'."""
    short = load_default().instruments[rule.instrument].short
    parts = []
    if rule.at_intake:
        parts.append("at intake")
    if rule.every_visit:
        parts.append("every visit")
    if rule.every_nth:
        parts.append(f"every {_ordinal(rule.every_nth)} visit")
    if rule.at_discharge:
        parts.append("at discharge")
    return f"{short} {', '.join(parts)}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


MAX_WORDING_BYTES = 200_000  # a questionnaire's wording file: a few kB in practice


@transaction.atomic
def load_wording(ctx: Context, instrument_id: str, content: bytes) -> LicensedWording:
    """A clinic admin loads the licensed wording of one questionnaire (a YAML or JSON
    file, `core.outcomes.wording`); it replaces any loaded before. Refused, naming the item
    or field, when the file does not fit the instrument; nothing is kept then."""
    require_staff(ctx)
    if not getattr(ctx.user, "is_clinic_admin", False):
        raise Forbidden("only a clinic admin may load a questionnaire's licensed wording")
    instrument = instrument_of(instrument_id)
    if len(content) > MAX_WORDING_BYTES:
        raise Invalid(f"the file is larger than {MAX_WORDING_BYTES // 1000} kB", "file")
    try:
        document = yaml.safe_load(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise Invalid(
            "the file is not UTF-8 text (save it as UTF-8 YAML or JSON)", "file"
        ) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise Invalid(f"the file is not valid YAML or JSON{line}", "file") from None
    try:
        wording = parse_wording(instrument, document)
    except OutcomeError as exc:
        raise Invalid(str(exc), exc.item or "file") from None
    stored, _ = LicensedWording.objects.update_or_create(
        clinic_id=ctx.user.clinic_id,
        instrument=instrument.id,
        defaults={
            "document": as_document(wording),
            "licence": wording.licence,
            "loaded_by": ctx.user,
            "loaded_at": ctx.now,
        },
    )
    record(
        ctx,
        AuditEvent.Action.UPDATE,
        None,
        summary=f"{instrument.short} wording loaded ({len(wording.items)} items; licence: "
        f"{wording.licence})"[:300],
    )
    return stored


@transaction.atomic
def remove_wording(ctx: Context, instrument_id: str) -> bool:
    """The clinic's loaded wording of one questionnaire goes (the form shows numbers again)."""
    require_staff(ctx)
    if not getattr(ctx.user, "is_clinic_admin", False):
        raise Forbidden("only a clinic admin may remove a questionnaire's licensed wording")
    instrument = instrument_of(instrument_id)
    removed, _ = LicensedWording.objects.filter(
        clinic_id=ctx.user.clinic_id, instrument=instrument.id
    ).delete()
    if removed:
        record(ctx, AuditEvent.Action.DELETE, None, summary=f"{instrument.short} wording removed")
    return bool(removed)
