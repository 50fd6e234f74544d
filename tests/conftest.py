"""Shared fixtures. Personas: `therapist` signs in; anonymous visitors do not."""

from __future__ import annotations

import pytest

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def therapist(db):  # type: ignore[no-untyped-def]
    from myomap.accounts.models import User

    return User.objects.create_user(
        username="alice", password=PASSWORD, first_name="Alice", last_name="Therapist"
    )


@pytest.fixture
def password() -> str:
    """The password of every persona."""
    return PASSWORD
