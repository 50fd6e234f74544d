"""What the therapists see of the check-ins: their clinic's alerts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from myomap.aftercare.models import CheckIn, ReliefCheck
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


def recent_relief(user: Any, limit: int = 20) -> list[tuple[Any, Any, Any]]:
    """The clinic's latest sessions with relief answers: (visit, Relief), newest first."""
    from myomap.aftercare.relief import lasted

    visit_ids = list(
        ReliefCheck.objects.filter(clinic_id=user.clinic_id, back__isnull=False)
        .order_by("-answered_at")
        .values_list("visit_id", flat=True)[: limit * 4]
    )
    seen: list[int] = []
    for pk in visit_ids:
        if pk not in seen:
            seen.append(pk)
    checks = ReliefCheck.objects.filter(visit_id__in=seen[:limit]).select_related("visit", "client")
    visits = {c.visit_id: c.visit for c in checks}
    clients = {c.visit_id: c.client for c in checks}
    return [(visits[pk], clients[pk], lasted(pk)) for pk in seen[:limit]]
