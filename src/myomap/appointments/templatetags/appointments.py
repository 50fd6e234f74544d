"""`{% client_feed_section client %}` on the client record: the client's private calendar
link, made and revoked there (drawn into the record's page without the clients app
importing this one)."""

from __future__ import annotations

from typing import Any

from django import template

from myomap.appointments import queries

register = template.Library()


@register.inclusion_tag("appointments/_client_feed.html", takes_context=True)
def client_feed_section(context: template.Context, client: Any) -> dict[str, Any]:
    user = context["user"]
    staff = bool(getattr(user, "is_staff_member", False))
    return {
        "staff": staff,
        "client": client,
        "feed": queries.live_client_feed(client) if staff else None,
        "link": queries.client_feed_link(context.get("request"), client) if staff else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def time_off_words(off: Any, zone: Any) -> str:
    """`{{ off|time_off_words:clinic.zone }}`: a stretch of time off as its days."""
    return str(off.words(zone))
