"""Demo data created on the first run of `myomap serve`, so a new user can look around."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from myomap.accounts.models import User


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_THERAPIST = DemoLogin("demo", "myomap-demo", "therapist")


@transaction.atomic
def ensure_demo_data() -> list[DemoLogin]:
    """Create the demo accounts if they are missing; return the logins to print."""
    login = DEMO_THERAPIST
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={"first_name": "Demo", "last_name": "Therapist"},
    )
    if created:
        user.set_password(login.password)
        user.save(update_fields=["password"])
    return [login]
