"""The main navigation's links, each marked as the current page from the URL's name.

`{% nav_link "clients:list" "Clients" %}` is current on every page whose URL name lies in
a namespace of that section: a visit belongs to its client's record, so visit pages
light "Clients". Which links a person sees at all stays with base.html's role checks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from myomap.web.templatetags.fast import cached_reverse

register = template.Library()

# URL namespace -> the namespace of the navigation link it sits under.
SECTION_OF: dict[str, str] = {
    "clients": "clients",
    "visits": "clients",
    "appointments": "appointments",
    "bodymap": "bodymap",
    "reference": "reference",
    "audit": "audit",
    "clinic": "clinic",
    "messaging": "clinic",
}
# Pages outside a namespace, by URL name, and the section they belong to: the outbox is
# the clinic's mail.
SECTION_OF_PAGE: dict[str, str] = {"outbox": "clinic"}


def current_section(request: Any) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return SECTION_OF.get(match.namespace) or SECTION_OF_PAGE.get(match.url_name)


@register.simple_tag(takes_context=True)
def nav_link(context: template.Context, url_name: str, label: str) -> SafeString:
    href = cached_reverse(url_name)
    if current_section(context.get("request")) == url_name.partition(":")[0]:
        return format_html('<a href="{}" aria-current="page">{}</a>', href, label)
    return format_html('<a href="{}">{}</a>', href, label)
