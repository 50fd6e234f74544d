import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(name: str) -> None:
    """An IANA time zone name ("Europe/London"); anything else is refused, by name."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{name!r} is not a known time zone (write it as Europe/London, America/New_York, ...)",
            code="time_zone",
        ) from None


class Clinic(models.Model):
    """A practice: its therapists, its admins and its clients' records belong together."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the clinic admin: every therapist and admin must sign in with a second factor
    # (an authenticator app); one without is sent to set it up before any other page.
    two_factor_required = models.BooleanField("two-factor sign-in required", default=False)
    # Where the clinic is: appointments are stored in UTC and shown in this zone.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class User(AbstractUser):
    """A person who signs in. Our own model from the start, so roles and clinics can be
    added without the swap-the-user-model migration Django warns against."""

    class Role(models.TextChoices):
        THERAPIST = "therapist", "Therapist"
        ADMIN = "admin", "Clinic admin"
        CLIENT = "client", "Client"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.THERAPIST)
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        db_table = "accounts_user"

    @property
    def is_staff_member(self) -> bool:
        """A therapist or clinic admin of a clinic: may read and write its clients."""
        return (
            self.is_authenticated
            and self.clinic_id is not None
            and self.role
            in (
                self.Role.THERAPIST,
                self.Role.ADMIN,
            )
        )

    @property
    def is_clinic_admin(self) -> bool:
        return self.is_authenticated and self.clinic_id is not None and self.role == self.Role.ADMIN


class LoginFailure(models.Model):
    """A failed sign-in, kept briefly to slow down password guessing (see throttle.py)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"
