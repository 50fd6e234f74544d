from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from myomap.clients.models import Client, Intake, visible_clients
from myomap.core import planning as core_planning
from myomap.core import vocab
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.session import events as session_events
from myomap.core.steps import CheckedStep, StepInput

SIDES = vocab.choices(vocab.POINT_SIDES, vocab.SIDE_WORDS)
PRESSURES = vocab.choices(vocab.PRESSURES)
TEST_SIDES = vocab.choices(vocab.TEST_SIDES, vocab.TEST_SIDE_WORDS)
TEST_RESULTS = vocab.choices(vocab.TEST_RESULTS)


class VisitQuerySet(models.QuerySet["Visit"]):
    def visible_to(self, user: Any) -> VisitQuerySet:
        """The visits of the clients this user may see (`visible_clients`)."""
        return self.filter(visible_clients(user, "client"))


class Visit(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="visits")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="visits")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    # The one-time key of the "Start a visit" form (or an API Idempotency-Key): a double
    # click or a retried request finds the visit it already started. NULL, not "", when
    # there is no key: NULLs never collide in the unique (intake, start_key).
    start_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # Points the last proposal left out, and why: [[trigger point, side, why], ...]
    plan_excluded = models.JSONField(default=list, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        # A client's visits newest first (their record), and the client list's visit
        # counts and last visits, read from the index alone.
        indexes = [models.Index(fields=["client", "-started_at", "-id"], name="visits_of_client")]
        constraints = [
            models.UniqueConstraint(fields=["intake", "start_key"], name="one_visit_per_start_key")
        ]

    def __str__(self) -> str:
        return f"Visit of {self.client} on {self.started_at:%Y-%m-%d}"

    @property
    def audit_client(self) -> Client:
        return self.client


class PalpationFinding(models.Model):
    """One trigger point examined on one side; recording it again replaces it."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="palpations")
    trigger_point = models.CharField(max_length=100)
    side = models.CharField(max_length=10, choices=SIDES)
    tender = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(vocab.TENDER_SCALE[1])],
        help_text="0 (not tender) to 10",
    )
    taut_band = models.BooleanField(default=False)
    referral = models.BooleanField(
        default=False, help_text="compression reproduces the familiar pain"
    )
    twitch = models.BooleanField(default=False)
    jump = models.BooleanField(default=False)
    ppt = models.DecimalField(
        "pressure pain threshold (kg/cm²)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(vocab.PPT_RANGE[0]), MaxValueValidator(vocab.PPT_RANGE[1])],
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "trigger_point", "side"], name="one_palpation_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trigger_point} ({self.side})"

    @property
    def audit_client(self) -> Client:
        return self.visit.client


class MovementFinding(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="movements")
    test = models.CharField(max_length=100)
    side = models.CharField(max_length=10, choices=TEST_SIDES, blank=True)
    result = models.CharField(max_length=10, choices=TEST_RESULTS)
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "test", "side"], name="one_result_per_test_side"
            )
        ]

    def __str__(self) -> str:
        return f"{self.test} {self.side} {self.result}"

    @property
    def audit_client(self) -> Client:
        return self.visit.client


class PlanStep(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="plan_steps")
    order = models.PositiveSmallIntegerField()
    trigger_point = models.CharField(max_length=100)
    side = models.CharField(max_length=10, choices=SIDES)
    technique = models.CharField(max_length=100)
    pressure = models.CharField(max_length=10, choices=PRESSURES)
    # The documented range of each technique is checked by `core.steps.check_steps`.
    hold_seconds = models.PositiveSmallIntegerField()
    repetitions = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    reason = models.TextField(blank=True)
    modifications = models.JSONField(default=list)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "order"], name="one_plan_step_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.trigger_point} ({self.side})"

    # The one mapping between a stored step and the core's values.
    @classmethod
    def from_core(cls, visit: Visit, order: int, checked: CheckedStep) -> PlanStep:
        s = checked.step
        return cls(
            visit=visit,
            order=order,
            trigger_point=s.trigger_point,
            side=s.side,
            technique=s.technique,
            pressure=s.pressure,
            hold_seconds=s.hold_seconds,
            repetitions=s.repetitions,
            reason=s.reason,
            modifications=list(checked.modifications),
        )

    def to_input(self) -> StepInput:
        return StepInput(
            trigger_point=self.trigger_point,
            side=self.side,
            technique=self.technique,
            pressure=self.pressure,
            hold_seconds=self.hold_seconds,
            repetitions=self.repetitions,
            reason=self.reason,
        )

    def to_core(self, kb: KnowledgeBase) -> core_planning.PlanStep | None:
        """The step in the core's terms; None when the knowledge base no longer has its
        point or technique (a clinic may swap its knowledge folder)."""
        point = kb.trigger_points.get(self.trigger_point)
        if point is None or self.technique not in kb.techniques:
            return None
        return core_planning.PlanStep(
            order=self.order,
            trigger_point=self.trigger_point,
            trigger_point_name=point.name,
            muscle=point.muscle,
            muscle_name=kb.muscles[point.muscle].name,
            side=self.side,
            technique=self.technique,
            technique_name=kb.techniques[self.technique].name,
            pressure=self.pressure,
            hold_seconds=self.hold_seconds,
            repetitions=self.repetitions,
            reason=self.reason,
            modifications=tuple(self.modifications),
        )

    @property
    def audit_client(self) -> Client:
        return self.visit.client


class Note(models.Model):
    """The visit's SOAP note. Its content lives in versions: a draft is edited in place
    (each save bumps `revision`, so two editors cannot silently overwrite each other);
    signing locks the version; an amendment is a new version, and history stays."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="note")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Note of {self.visit}"

    @property
    def audit_client(self) -> Client:
        return self.visit.client


def reads_drafts(user: Any) -> bool:
    """Staff read every version of a note, drafts too; a client only the signed ones."""
    return bool(getattr(user, "is_staff_member", False))


class NoteVersionQuerySet(models.QuerySet["NoteVersion"]):
    def readable_by(self, user: Any) -> NoteVersionQuerySet:
        """Staff of the client's clinic read every version; a client reads signed versions
        of their own notes only: a draft (or an unsigned amendment) is not yet a record."""
        mine = self.filter(visible_clients(user, "note__visit__client"))
        if reads_drafts(user):
            return mine
        return mine.filter(signed_at__isnull=False)


class NoteVersion(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    revision = models.PositiveIntegerField(default=1)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    amendment_reason = models.TextField(blank=True)
    # What changed in the record while this amendment was open: ["plan saved: ...", ...]
    changes = models.JSONField(default=list, blank=True)
    # The visit's findings or plan changed after this unsigned text was last written.
    record_changed = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = NoteVersionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["note", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.note} v{self.number}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def audit_client(self) -> Client:
        return self.note.visit.client


# ----------------------------------------------------------------------------- the guided session
# The kinds of event a device sends, and the `core.session.events` class of each: the one
# mapping between a stored event and the core's.
SESSION_EVENTS: dict[str, type[session_events.Event]] = {
    "start-session": session_events.StartSession,
    "pain-now": session_events.PainNow,
    "go-to-point": session_events.GoToPoint,
    "tenderness": session_events.Tenderness,
    "start-hold": session_events.StartHold,
    "feedback": session_events.Feedback,
    "release-hold": session_events.ReleaseHold,
    "skip-point": session_events.SkipPoint,
    "add-point": session_events.AddPoint,
    "end-session": session_events.EndSession,
}
SESSION_EVENT_KINDS = tuple(SESSION_EVENTS)
# Every event's own fields, besides these (`core.session.events.Event`).
EVENT_BASE_FIELDS = frozenset(f.name for f in dataclasses.fields(session_events.Event))


def event_fields(kind: type[session_events.Event]) -> tuple[dataclasses.Field[Any], ...]:
    """The fields an event of this class carries besides its id and times."""
    return tuple(f for f in dataclasses.fields(kind) if f.name not in EVENT_BASE_FIELDS)


class SessionRun(models.Model):
    """One guided treatment session of a visit (docs/session.md). Its events are the
    record; its state is what `core.session.replay` makes of them, in their stored order.
    So that a request need not replay them all, the run keeps a snapshot of that state
    (`state`, `core.session.snapshot`) as of its event `state_upto`, written in the same
    transaction as the events: a request loads it and replays only the events after it.
    Several web processes share nothing in memory. At most one run of a visit is open
    (not ended) at a time."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="session_runs")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The plan's points when the session started, in order: [[trigger point, side], ...]
    # (the plan may be edited later; the replay starts from what was planned then).
    planned = models.JSONField(default=list)
    # The replayed state as of the event `state_upto` (its id; 0: none), with the rules'
    # fingerprint it was made under: {"rules": ..., "session": core.session.snapshot.dump}.
    state = models.JSONField(null=True, blank=True)
    state_upto = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_session_per_visit",
            )
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} of {self.visit}"

    @property
    def audit_client(self) -> Client:
        return self.visit.client


class PadCode(models.Model):
    """A short code for a run's client pad link (`/pad/<code>/`, typeable from the screen),
    standing for the signed token: the same run and therapist, refused as the token is
    (the session ended, the therapist may no longer act for the clinic) and once
    `expires_at` has passed (the token's `PAD_HOURS`). Deleted with its run."""

    code = models.CharField(max_length=16, unique=True)
    run = models.ForeignKey(SessionRun, on_delete=models.CASCADE, related_name="pad_codes")
    issuer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Pad code of {self.run}"


class SessionEvent(models.Model):
    """One event of a session as received and accepted: the id made on the device
    (unique per run, so a resent event is stored once even from two processes at once),
    the device's time, the server's time and the event's own fields."""

    run = models.ForeignKey(SessionRun, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=vocab.choices(SESSION_EVENT_KINDS))
    at = models.DateTimeField(help_text="the device's time")
    received_at = models.DateTimeField(help_text="the server's time")
    fields = models.JSONField(default=dict, blank=True)
    # A pad tap's time on the phone's own clock, as the phone sent it (`at` is the tap put
    # on the session's clock): the pad's tap rate is counted in the phone's own time.
    device_at = models.DateTimeField(null=True, blank=True, help_text="the phone's own time")

    class Meta:
        # The stored order is the order events were applied in (writes to one visit queue
        # on its row lock), and the order they are replayed in.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "event_id"], name="one_row_per_session_event")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"

    @classmethod
    def from_core(
        cls, run: SessionRun, event: session_events.Event, device_at: dt.datetime | None = None
    ) -> SessionEvent:
        kind = next(k for k, c in SESSION_EVENTS.items() if type(event) is c)
        assert event.received is not None, "an event is stored once the server has it"
        return cls(
            run=run,
            event_id=event.event_id,
            kind=kind,
            at=event.at,
            received_at=event.received,
            fields={f.name: getattr(event, f.name) for f in event_fields(type(event))},
            device_at=device_at,
        )

    def to_core(self) -> session_events.Event:
        return SESSION_EVENTS[self.kind](
            event_id=self.event_id, at=self.at, received=self.received_at, **self.fields
        )

    @property
    def audit_client(self) -> Client:
        return self.run.visit.client
