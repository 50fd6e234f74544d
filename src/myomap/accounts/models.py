from django.contrib.auth.models import AbstractUser
from django.db import models


class Clinic(models.Model):
    """A practice: its therapists, its admins and its clients' records belong together."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the clinic admin: every therapist and admin must sign in with a second factor
    # (an authenticator app); one without is sent to set it up before any other page.
    two_factor_required = models.BooleanField("two-factor sign-in required", default=False)

    def __str__(self) -> str:
        return self.name


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
