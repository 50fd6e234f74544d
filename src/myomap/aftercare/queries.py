"""What the therapists see of the check-ins: their clinic's alerts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from myomap.aftercare.models import CheckIn
from myomap.records.access import visible_or_404


def alerts_for(user: Any, *, seen: bool = False) -> QuerySet[CheckIn]:
    """The clinic's check-ins whose answers need a therapist, not yet seen (or seen)."""
    found = CheckIn.objects.filter(clinic_id=user.clinic_id).exclude(alert="")
    return (
        found.filter(seen_at__isnull=not seen)
        .select_related("client", "visit", "visit__therapist", "seen_by")
        .order_by("-answered_at", "-pk")
    )


def check_in_for_staff(user: Any, pk: int) -> CheckIn:
    visible = CheckIn.objects.filter(clinic_id=user.clinic_id).select_related("client")
    return visible_or_404(visible, pk, lambda c: c.client)  # type: ignore[no-any-return]
