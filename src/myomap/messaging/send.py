"""Sending one message to a client, on the channels they accept for its purpose, in the
clinic's wording, with the link that stops this kind of message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from myomap.clients.models import Client
from myomap.jobs import mail, sms
from myomap.messaging import channels, wording
from myomap.messaging.models import Purpose


def stop_line(client: Client, purpose: str, now: dt.datetime) -> str:
    link = channels.stop_link(client, purpose, now)
    return f"No more {Purpose(purpose).label.lower()}? {link}"


def sms_text(body: str, stop: str) -> str:
    """The text: the body, cut short (with "…") where it would not leave room for the stop
    line, which a text must always carry (a provider takes at most `sms.MAX_LENGTH`)."""
    room = sms.MAX_LENGTH - len(stop) - 2
    text = body.strip()
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return f"{text}\n\n{stop}"


def to_client(
    client: Client,
    name: str,
    values: dict[str, Any],
    *,
    clinic_id: int | None,
    key: str,
    now: dt.datetime,
) -> tuple[str, ...]:
    """Send message `name` (from inside a job: an e-mail now, a text as its own job, keyed
    from `key`). The channels it went to; none when the client accepts none."""
    purpose = wording.message(name).purpose
    used = channels.channels_for(client, purpose)
    if not used:
        return used
    subject, body = wording.render(clinic_id, name, values)
    stop = stop_line(client, purpose, now)
    if channels.EMAIL in used:
        mail.deliver(
            to=[channels.email_of(client)],
            subject=subject,
            body=f"{body.rstrip()}\n\n--\n{stop}\n",
            clinic_id=clinic_id,
        )
    if channels.SMS in used:
        sms.send_later(
            key=f"sms:{key}"[:200],
            to=client.phone,
            body=sms_text(body, stop),
            clinic_id=clinic_id,
            now=now,
        )
    return used
