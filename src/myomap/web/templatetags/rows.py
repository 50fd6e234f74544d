"""The client list's rows, written in one pass: the same HTML the row template gave,
several times cheaper than 50 trips through the template engine (a row there costs some
fifty microseconds, and a page of the list has 50). Every value is escaped as a template
escapes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from myomap.clients.queries import ClientRow
from myomap.web.templatetags.fast import cached_reverse, formatter

register = template.Library()
SENTINEL = 9_876_543_210  # a client number in the URL, to be replaced by each row's

ROW = (
    '<tr><td data-label="Name"><a href="{href}">{family}, {given}</a></td>\n'
    '        <td data-label="Born">{born}</td><td data-label="Visits">{visits}</td>\n'
    '        <td data-label="Last visit">{last}</td></tr>\n    '
)


@register.simple_tag
def client_rows(rows: Sequence[ClientRow]) -> SafeString:
    """`<tr>` per client: name (a link to the record), born, visits, last visit."""
    day = formatter("j M Y")
    zone = timezone.get_current_timezone()  # as template_localtime converts, once a page
    # /clients/<pk>/ as the URL conf reverses it, with each row's number put in
    head, _, tail = cached_reverse("clients:detail", (SENTINEL,)).partition(str(SENTINEL))
    return mark_safe(  # every value below is escaped
        "".join(
            ROW.format(
                href=escape(f"{head}{row.pk}{tail}"),
                family=escape(row.family_name),
                given=escape(row.given_name),
                born=escape(day(row.date_of_birth)) if row.date_of_birth else "",
                visits=row.visit_count,
                last=escape(day(_local(row.last_visit, zone))) if row.last_visit else "—",
            )
            for row in rows
        )
    )


def _local(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`template_localtime(value)` with the current time zone read once for the page."""
    if value.tzinfo is None or not settings.USE_TZ:
        return template_localtime(value)  # type: ignore[no-any-return]
    return value.astimezone(zone)
