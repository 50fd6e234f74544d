"""`{% rebooking_at_sign_off visit %}` on the signed note: when to suggest the client comes
back (from their measured relief, the knowledge base's range until there are data) with
the open times of the session's therapist near that date, each booked with one tap. Drawn
into the visit's page without the visits app importing this one (the page has read and
audited the visit)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from myomap.aftercare import queries
from myomap.appointments.queries import next_appointment

register = template.Library()


@register.inclusion_tag("aftercare/_rebooking.html", takes_context=True)
def rebooking_at_sign_off(context: template.Context, visit: Any) -> dict[str, Any]:
    user = context["user"]
    nothing: dict[str, Any] = {"offer": None}
    if not getattr(user, "is_staff_member", False) or visit.client.clinic_id != user.clinic_id:
        return nothing
    session_at = queries.signed_at(visit, context.get("version"))
    if session_at is None:
        return nothing
    now = timezone.now()  # the page's moment: the tag is where the request meets the reads
    with timezone.override(visit.client.clinic.zone):
        found = queries.offer(visit, session_at, now)
    return {
        "offer": found,
        "next": next_appointment(visit.client, now),
        "staff": True,
        "client": visit.client,
        "csrf_token": context.get("csrf_token"),
    }
