"""`{{ event.object_type|in_words }}`: see myomap.audit.words."""

from __future__ import annotations

from django import template

from myomap.audit.words import in_words

register = template.Library()
register.filter("in_words", in_words)
