"""The only tags and filters a message's wording may use: the engine of `wording.py` is
built on this library alone (not Django's built-ins), so anything else is refused by the
template parser itself. Left out: what can make the output unbounded (`{% for %}`,
`{% lorem %}`, `|center`, `|ljust`, `|rjust`, `|stringformat`, `|floatformat`, and `|add`,
which `{% with %}` nested would double at each level), what
shows more than the message's values (`{% debug %}`, `{% url %}`) and what reaches other
templates (`{% load %}`, `{% include %}`, `{% extends %}`)."""

from __future__ import annotations

from django.template import Library, defaultfilters, defaulttags

TAGS = ("if", "firstof", "with", "comment", "now", "spaceless", "autoescape")
FILTERS = (
    "capfirst",
    "cut",
    "date",
    "default",
    "default_if_none",
    "first",
    "last",
    "length",
    "lower",
    "pluralize",
    "time",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "yesno",
)

register = Library()
for _name in TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name in FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]
