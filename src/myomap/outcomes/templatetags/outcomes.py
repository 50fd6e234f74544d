"""`{% outcomes_section client %}` on the client record and `{% outcomes_due visit %}` on
the visit page: the outcomes app's sections, drawn into the other apps' pages without
those apps importing it (the record and the visit are already read and audited by the
page that includes them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from myomap.core.outcomes.answers import count_of
from myomap.outcomes import pages

register = template.Library()


@register.inclusion_tag("outcomes/_section.html", takes_context=True)
def outcomes_section(context: template.Context, client: Any) -> dict[str, Any]:
    user = context["user"]
    return pages.section(user, client) | {"user": user}


@register.inclusion_tag("outcomes/_due.html", takes_context=True)
def outcomes_due(context: template.Context, visit: Any) -> dict[str, Any]:
    user = context["user"]
    return pages.due(visit) | {"user": user}


@register.filter
def day_then_time(when: str) -> SafeString:
    """'3 Dec 2026, 09:00' with the day kept on one line and the time free to go below it,
    so a table of five short columns (an ODI's band, say) fits a phone's width."""
    day, comma, time = when.partition(", ")
    return format_html(
        '<span class="outcome-day">{}{}</span>{}', day, comma.strip(), f" {time}" if comma else ""
    )


@register.filter
def answered_of(answers: list[tuple[Any, Any, str]], instrument: Any) -> str:
    """'9 of 10 sections answered (unanswered: 8)', as `myomap score` says it: a response's
    page, whose score (an ODI's divisor, a PSFS's mean) depends on how many were answered."""
    blank = [str(item.number) for item, answer, _ in answers if answer is None]
    said = f"{len(answers) - len(blank)} of {count_of(instrument, len(answers))} answered"
    return said + (f" (unanswered: {', '.join(blank)})" if blank else "")
