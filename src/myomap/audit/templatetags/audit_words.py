"""`{{ event.object_type|in_words }}`: see myomap.audit.words."""

from __future__ import annotations

from django import template

from myomap.audit.words import in_words, way_in

register = template.Library()
register.filter("in_words", in_words)
register.filter("way_in", way_in)
