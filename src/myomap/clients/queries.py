"""Reads of clients and intakes, shared by the web pages, the API and the command line.
Who may see what is decided here (and in `ClientQuerySet.visible_to`), never in a view or
a template: another clinic's record is a 404, never a 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.shortcuts import get_object_or_404

from myomap.clients.models import Client, Intake


def client_list(user: Any, query: str = "") -> QuerySet[Client]:
    """The clients this user may see whose names match `query`, by family name, with
    their visit count and last visit."""
    return (
        Client.objects.visible_to(user)
        .matching(query)
        .annotate(visit_count=Count("visits", distinct=True), last_visit=Max("visits__started_at"))
        .order_by("family_name", "given_name", "id")
    )


def client_for(user: Any, pk: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(user), pk=pk)


def intake_for(user: Any, pk: int) -> Intake:
    return get_object_or_404(
        Intake.objects.select_related("client").filter(client__in=Client.objects.visible_to(user)),
        pk=pk,
    )


@dataclass(frozen=True)
class GateAnswer:
    """May a visit start and a plan be made from this intake, and if not, why. The one
    answer the intake page, the API and the visit actions share."""

    allows_planning: bool
    reason: str | None  # why not, in words (None when planning may go on)
    other_intake: Intake | None  # the client's other intake whose red flag stops planning


def gate(intake: Intake) -> GateAnswer:
    if intake.gate == Intake.Gate.BLOCKED:
        return GateAnswer(
            False,
            "a red flag stops treatment planning: record a referral, a medical clearance "
            "or an override with a reason first",
            None,
        )
    if intake.gate == Intake.Gate.AWAITING:
        return GateAnswer(
            False,
            "the referral is recorded, and this red flag needs a medical clearance (who "
            "cleared, when, what they said) or an override with a reason before treatment",
            None,
        )
    other = (
        Intake.objects.filter(client_id=intake.client_id, gate__in=Intake.CLOSED)
        .exclude(pk=intake.pk)
        .order_by("-recorded_at")
        .first()
    )
    if other is not None:
        return GateAnswer(
            False,
            f"the intake of {other.recorded_at:%d %b %Y} has a red flag that is not resolved: "
            "resolve it first",
            other,
        )
    return GateAnswer(True, None, None)
