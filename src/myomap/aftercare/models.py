from __future__ import annotations

from django.db import models

from myomap.accounts.models import Clinic
from myomap.clients.models import Client
from myomap.visits.models import Visit


class CheckIn(models.Model):
    """The soreness check-in after one session: when it is due, the link's secret (its
    SHA-256 only, set when the e-mail is sent), and the client's answers once given."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="check_ins")
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="check_in")
    session_at = models.DateTimeField()  # when the session's note was signed
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    soreness = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-10
    fading = models.BooleanField(null=True, blank=True)
    pain_now = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-10
    new_numbness = models.BooleanField(null=True, blank=True)
    new_weakness = models.BooleanField(null=True, blank=True)
    bladder_or_bowel = models.BooleanField(null=True, blank=True)
    # Why the answers need the therapist ("new weakness; soreness not fading"); empty when
    # they do not. Seen: when and by whom the alert was looked at.
    alert = models.CharField(max_length=200, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"check-in {self.pk} after visit {self.visit_id}"

    @property
    def audit_client(self) -> Client:
        return self.client

    @property
    def red_flag(self) -> bool:
        return bool(self.new_numbness or self.new_weakness or self.bladder_or_bowel)


class ReliefCheck(models.Model):
    """One "is the pain back?" question after a session, on a day of the knowledge base's
    schedule. The first is asked for at the signature; each sent asks for the next, and a
    "back" answer ends them."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="relief_checks")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="relief_checks")
    day = models.PositiveSmallIntegerField()  # days after the session
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    back = models.BooleanField(null=True, blank=True)
    pain_now = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-10
    # The appointment the client booked from this question's link (one per link).
    appointment = models.ForeignKey(
        "appointments.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "day"], name="one_relief_check_a_day")
        ]

    def __str__(self) -> str:
        return f"relief check day {self.day} after visit {self.visit_id}"

    @property
    def audit_client(self) -> Client:
        return self.client


class SorenessRecheck(models.Model):
    """The second question about soreness, when the check-in found it not fading: asked at
    the knowledge base's hour after the session (aftercare.yaml `soreness_recheck_hours`)
    through a one-time link; still not fading alerts the therapist on the check-in."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    check_in = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="recheck")
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    soreness = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-10
    fading = models.BooleanField(null=True, blank=True)

    def __str__(self) -> str:
        return f"soreness recheck after check-in {self.check_in_id}"

    @property
    def audit_client(self) -> Client:
        return self.client
