"""The outbox page's texts: `{% load sms %}{% kept_texts as texts %}`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from myomap.jobs import sms

register = template.Library()


@register.simple_tag(takes_context=True)
def kept_texts(context: dict[str, Any]) -> list[sms.Text]:
    """The texts kept in the folder for the signed-in admin's clinic, the last days'."""
    user = context["request"].user
    if not getattr(user, "clinic_id", None):
        return []
    return sms.kept(int(user.clinic_id), timezone.now() - dt.timedelta(days=sms.DAYS))


@register.simple_tag
def texts_kept() -> bool:
    """Whether texts are kept in the folder rather than sent."""
    return sms.backend_name() in (sms.FOLDER, sms.ALIASES[sms.FOLDER])
