"""`{% program_section client %}` on the client record (the portal invitation, the home
program's adherence per exercise and week with its flags, the pain diary beside the
visits) and `{% program_link visit %}` on the visit page: drawn into the other apps'
pages without those apps importing this one (the record and the visit are already read
and audited by the page that includes them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from myomap.core.kb import load_default
from myomap.program import queries
from myomap.program.models import Invitation

register = template.Library()


@register.inclusion_tag("program/_section.html", takes_context=True)
def program_section(context: template.Context, client: Any) -> dict[str, Any]:
    user = context["user"]
    now = timezone.now()
    regions = load_default().regions
    diary = queries.diary(user, client, limit=20)
    last_invitation = (
        Invitation.objects.visible_to(user).filter(client=client).first()
        if user.is_staff_member
        else None
    )
    return {
        "user": user,
        "client": client,
        "adherence": queries.adherence(user, client, now),
        "diary": [(e, regions[e.region].name if e.region in regions else e.region) for e in diary],
        "invitation": last_invitation,
        "now": now,
        "has_login": client.user_id is not None,
        "csrf_token": context.get("csrf_token"),
        # The way back to the program from the record: its editor (on the visit it was
        # built at) and its handout.
        "program": queries.program_of(user, client) if user.is_staff_member else None,
    }


@register.inclusion_tag("program/_visit_link.html", takes_context=True)
def program_link(context: template.Context, visit: Any) -> dict[str, Any]:
    user = context["user"]
    program = queries.program_of(user, visit.client)
    return {
        "user": user,
        "visit": visit,
        "count": len(queries.current_items(program)),
    }
