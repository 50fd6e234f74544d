"""A client's answered questionnaires (`QuestionnaireResponse`) and the clinic's schedule
of which are due when (`ScheduleRule`).

A response keeps the answers as entered and the score the core computed from them
(total, subscales, band or risk group), so a page reads scores without re-scoring.
`fields_of(score)` and `to_core(instrument)` are the one mapping to and from the core's
`Score`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from myomap.accounts.models import Clinic
from myomap.clients.models import Client, visible_clients
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes import Score, SubscaleScore, unrounded
from myomap.visits.models import Visit


class ResponseQuerySet(models.QuerySet["QuestionnaireResponse"]):
    def visible_to(self, user: Any) -> ResponseQuerySet:
        """The responses of the clients this user may see (`visible_clients`)."""
        return self.filter(visible_clients(user, "client"))

    def in_use(self) -> ResponseQuerySet:
        """Not voided: the responses the plots, the change, the report and the note read."""
        return self.filter(voided_at__isnull=True)


class QuestionnaireResponse(models.Model):
    """One questionnaire as answered on one occasion, and its score."""

    class Via(models.TextChoices):
        WEB = "web", "entered in the clinic"
        API = "api", "through the API"
        CLI = "cli", "from the command line"
        PORTAL = "portal", "by the client in their portal"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="outcomes")
    # The visit it was taken at, if any; a deleted visit leaves the score on the record.
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="outcomes"
    )
    instrument = models.CharField(max_length=40)
    # One answer per item in item order: a whole number, or null for unanswered.
    answers = models.JSONField()
    # PSFS: the activities in the client's own words, one per item ("" where none).
    activities = models.JSONField(default=list, blank=True)
    total = models.FloatField()
    subscales = models.JSONField(default=dict, blank=True)
    band = models.CharField(max_length=60, blank=True)
    taken_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.WEB)
    # Voided: entered in error. Kept (and audited), never deleted; left out of the plots,
    # the change, the report and the note. A correction is a new response that `replaces`
    # the voided one.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["taken_at", "id"]
        constraints = [
            # a void always says why and who; a response in use has neither
            models.CheckConstraint(
                condition=(
                    models.Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                    | (
                        models.Q(voided_at__isnull=False, voided_by__isnull=False)
                        & ~models.Q(void_reason="")
                    )
                ),
                name="a_void_says_who_when_and_why",
            )
        ]
        indexes = [
            # A client's series per instrument, oldest first (baseline, then latest).
            models.Index(fields=["client", "instrument", "taken_at", "id"], name="outcomes_series"),
            # The scores taken at one visit (what is due, what is done).
            models.Index(fields=["visit", "instrument"], name="outcomes_of_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} of {self.client_id} at {self.taken_at:%Y-%m-%d}"

    @property
    def audit_client(self) -> Client:
        return self.client

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @staticmethod
    def fields_of(score: Score) -> dict[str, Any]:
        """The model's fields for a core `Score`."""
        return {
            "instrument": score.instrument,
            "answers": list(score.answers),
            "total": score.score,
            "subscales": {s.id: s.score for s in score.subscales},
            "band": score.band or "",
        }

    def to_core(self, instrument: Instrument) -> Score:
        """The stored score as the core's `Score` (not re-scored: what was shown then)."""
        return stored_score(instrument, self.total, self.band, self.subscales, self.answers)


def stored_score(
    instrument: Instrument,
    total: float,
    band: str,
    subscales: dict[str, float],
    answers: list[int | None],
) -> Score:
    """A response's stored columns as the core's `Score` (`to_core`, and the report, which
    reads plain values)."""
    given = tuple(answers)
    return Score(
        instrument=instrument.id,
        short=instrument.short,
        score=total,
        low=instrument.range.low,
        high=instrument.range.high,
        direction=instrument.direction,
        grouping=instrument.grouping,
        band=band or None,
        answered=sum(1 for a in given if a is not None),
        items=len(instrument.items),
        missing=tuple(
            item.id for item, a in zip(instrument.items, given, strict=False) if a is None
        ),
        subscales=tuple(
            SubscaleScore(s.id, s.label, float(subscales[s.id]), s.range.low, s.range.high)
            for s in instrument.subscales
            if s.id in subscales
        ),
        answers=given,
        unrounded=unrounded(instrument, given, total),
    )


class ScheduleRule(models.Model):
    """When the clinic asks for one instrument: at intake (the first visit after an
    intake), at every visit, at every n-th visit of the client, at discharge."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=40)
    at_intake = models.BooleanField(default=False)
    every_visit = models.BooleanField(default=False)
    every_nth = models.PositiveSmallIntegerField(null=True, blank=True)
    at_discharge = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument"], name="one_schedule_rule_per_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} at clinic {self.clinic_id}"

    @property
    def is_empty(self) -> bool:
        return not (self.at_intake or self.every_visit or self.every_nth or self.at_discharge)


class LicensedWording(models.Model):
    """A questionnaire's own wording, loaded by a clinic that holds a licence for it (the
    document `core.outcomes.wording` checked); Myomap ships none. One per clinic and
    instrument: loading again replaces it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=40)
    document = models.JSONField()
    licence = models.CharField(max_length=300)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument"], name="one_licensed_wording_per_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} wording of clinic {self.clinic_id}"
