"""Checks every action makes itself, whoever calls it (web, API or command line)."""

from __future__ import annotations

from typing import Any

from myomap.records.context import Context
from myomap.records.errors import Forbidden


def require_staff(ctx: Context) -> None:
    if not getattr(ctx.user, "is_staff_member", False):
        raise Forbidden("only a therapist or clinic admin may do this")


def require_clinic(ctx: Context, client: Any) -> None:
    """Staff of the client's own clinic only: one careless caller must not write across
    clinics."""
    require_staff(ctx)
    if client.clinic_id != ctx.user.clinic_id:
        raise Forbidden("this client belongs to another clinic")
