"""The client record's channels form: `{% load channels %}{% channels_section client %}`."""

from __future__ import annotations

from typing import Any

from django import template

from myomap.jobs import sms
from myomap.messaging import channels
from myomap.messaging.models import Channel, Purpose

register = template.Library()


@register.inclusion_tag("clients/_channels.html", takes_context=True)
def channels_section(context: dict[str, Any], client: Any) -> dict[str, Any]:
    chosen = channels.preferences(client)
    texts = sms.enabled()
    rows = [
        {
            "purpose": value,
            "label": label,
            "chosen": chosen[value],
            "reaches_words": _words(channels.reachable(client, chosen[value]), chosen[value]),
            # without texts set up, a text is not offered (but a choice made stays shown)
            "choices": [
                (v, text)
                for v, text in Channel.choices
                if texts or v in ("email", "none") or v == chosen[value]
            ],
        }
        for value, label in Purpose.choices
    ]
    return {
        "client": client,
        "rows": rows,
        "texts": texts,
        "phone_ok": sms.is_phone_number(client.phone),
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
    }


def _words(reaches: tuple[str, ...], choice: str) -> str:
    if reaches:
        names = {"email": "e-mail", "sms": "text message"}
        return "Goes by " + " and ".join(names[c] for c in reaches) + "."
    if choice == Channel.NONE:
        return "Not sent: turned off."
    return "Not sent: no e-mail address or phone number it can go to."
