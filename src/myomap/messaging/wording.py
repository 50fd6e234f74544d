"""Each message's subject and body: a template with a default shipped, which a clinic admin
may replace with the clinic's own (Clinic > Messages). Rendered with Django's template
engine from the text, autoescape off (it is plain text), with no loaders, only the tags and
filters of `template_library` and only the message's documented variables, each a plain
value: anything else is refused, naming it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template import Context as TemplateContext
from django.template import Engine, TemplateSyntaxError
from django.template.loader import get_template

from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.messaging import template_library
from myomap.messaging.models import Purpose, Wording
from myomap.records.errors import Invalid


class _MessageEngine(Engine):
    """Django's engine with none of its built-in tags and filters: only
    `template_library`'s."""

    default_builtins = ["myomap.messaging.template_library"]


ENGINE = _MessageEngine(autoescape=False, dirs=[], app_dirs=False, loaders=[])
BODY_MAX = 5000  # characters of a message's wording: far more than any message needs
RENDERED_MAX = 2 * BODY_MAX  # and once its values are in (a date's long format, say)
# What a message's values may be: text, numbers and times, never a record (whose
# attributes a template could reach).
VALUE_TYPES = (str, int, float, dt.date, dt.time)
_BAD_TAG = re.compile(r"Invalid block tag on line \d+: '([^']+)'")
_BAD_FILTER = re.compile(r"Invalid filter: '([^']+)'")
_AUTOESCAPE = re.compile(r"^{% autoescape off %}|{% endautoescape %}\s*$")


@dataclass(frozen=True)
class Message:
    name: str
    purpose: str
    label: str
    subject: str  # the default subject's template
    source: str  # the default body: a template file (.txt), or the text itself
    variables: tuple[tuple[str, str], ...]  # (name, what it is)

    @property
    def body(self) -> str:
        if self.source.endswith(".txt"):
            text = str(get_template(self.source).template.source)  # type: ignore[attr-defined]
            return _AUTOESCAPE.sub("", text.strip()).strip() + "\n"
        return self.source


_NAME = ("given_name", "the client's given name")
_CLINIC = ("clinic", "the clinic's name")
_LINK = ("link", "the one-time link to answer")
_HOURS = ("hours", "how many hours the link works")

MESSAGES: dict[str, Message] = {
    m.name: m
    for m in (
        Message(
            "appointment_reminder",
            Purpose.APPOINTMENTS,
            "Appointment reminder (the day before)",
            "Reminder: your appointment at {{ clinic }}",
            "appointments/reminder_email.txt",
            (
                _NAME,
                _CLINIC,
                (
                    "starts",
                    'the appointment\'s start: {{ starts|date:"l j F Y" }}, '
                    '{{ starts|time:"H:i" }}',
                ),
                ("minutes", "how long it is, in minutes"),
            ),
        ),
        Message(
            "check_in",
            Purpose.AFTERCARE,
            "Check-in after a session",
            "How are you after your session at {{ clinic }}?",
            "aftercare/check_in_email.txt",
            (_NAME, _CLINIC, _LINK, _HOURS),
        ),
        Message(
            "relief",
            Purpose.AFTERCARE,
            "Is the pain back? (days after a session)",
            "Is the pain back? A question from {{ clinic }}",
            "aftercare/relief_email.txt",
            (_NAME, _CLINIC, ("day", "how many days since the session"), _LINK, _HOURS),
        ),
        Message(
            "recheck",
            Purpose.AFTERCARE,
            "Soreness asked about again",
            "Is the soreness fading now? A question from {{ clinic }}",
            "aftercare/recheck_email.txt",
            (_NAME, _CLINIC, _LINK, _HOURS),
        ),
        Message(
            "program_reminder",
            Purpose.PROGRAM,
            "Home program reminder",
            "Your home program today ({{ clinic }})",
            "Hello {{ given_name }},\n\n"
            "This is your reminder for today's home exercises. Open your program on "
            "your phone to follow the timer and log what you did.\n\n"
            "To change or stop these reminders, open your program and change the days.\n",
            (_NAME, _CLINIC),
        ),
    )
}


def message(name: str) -> Message:
    try:
        return MESSAGES[name]
    except KeyError:
        raise Invalid(f"there is no message called {name!r}", "message") from None


def sample(name: str, clinic: str) -> dict[str, Any]:
    """The sample client's values the preview is rendered with."""
    values: dict[str, Any] = {
        "given_name": "Sam",
        "clinic": clinic,
        "starts": dt.datetime(2026, 3, 30, 14, 30),
        "minutes": 60,
        "link": "https://clinic.example/aftercare/…",
        "hours": 72,
        "day": 5,
    }
    return {key: values[key] for key, _ in message(name).variables}


class _Watching(TemplateContext):
    """A template context that notes each name looked up that it does not have."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values, autoescape=False)
        self.missing: list[str] = []

    def __getitem__(self, key: Any) -> Any:
        try:
            return super().__getitem__(key)
        except KeyError:
            if key not in self.missing:
                self.missing.append(key)
            raise


def _not_allowed(exc: TemplateSyntaxError, field: str) -> Invalid:
    text = str(exc)
    if found := _BAD_TAG.search(text):
        can = ", ".join(f"{{% {tag} %}}" for tag in template_library.TAGS)
        return Invalid(
            f"{{% {found.group(1)} %}} cannot be used in a message's {field} (these can: {can})",
            field,
        )
    if found := _BAD_FILTER.search(text):
        can = ", ".join(f"|{name}" for name in template_library.FILTERS)
        return Invalid(
            f"|{found.group(1)} cannot be used in a message's {field} (these can: {can})", field
        )
    # Django ends its message with a full stop; the page adds its own.
    return Invalid(f"the {field} cannot be read as a template: {text.rstrip('.')}", field)


def _render(text: str, values: dict[str, Any], field: str, name: str) -> str:
    for key, value in values.items():
        if not isinstance(value, VALUE_TYPES):
            raise TypeError(f"message {name!r}: {key!r} is a {type(value).__name__}, not a value")
    try:
        template = ENGINE.from_string(text)
        context = _Watching(values)
        out = template.render(context)
    except TemplateSyntaxError as exc:
        raise _not_allowed(exc, field) from None
    except Exception as exc:  # a filter given the wrong kind of value, say
        raise Invalid(f"the {field} cannot be rendered: {exc}", field) from None
    if len(out) > RENDERED_MAX:
        raise Invalid(
            f"the {field} is longer than {RENDERED_MAX} characters once its values are in",
            field,
        )
    if context.missing:
        known = ", ".join(key for key, _ in message(name).variables)
        unknown = ", ".join(f"{{{{ {key} }}}}" for key in context.missing)
        raise Invalid(
            f"{unknown} is not a variable of this message (its variables: {known})", field
        )
    return out


def render_text(name: str, subject: str, body: str, values: dict[str, Any]) -> tuple[str, str]:
    """The subject (one line) and body, rendered with `values`."""
    title = " ".join(_render(subject, values, "subject", name).split())
    return title, _render(body, values, "body", name)


def wording_for(clinic_id: int | None, name: str) -> tuple[str, str, bool]:
    """(subject, body, whether they are the clinic's own) of a message."""
    own = Wording.objects.filter(clinic_id=clinic_id, message=name).first() if clinic_id else None
    if own is not None:
        return own.subject, own.body, True
    found = message(name)
    return found.subject, found.body, False


def render(clinic_id: int | None, name: str, values: dict[str, Any]) -> tuple[str, str]:
    """The clinic's wording of message `name` (else the default), rendered. Wording that no
    longer renders (checked when saved, but a message's variables may change since) gives
    way to the default: the client still gets the message."""
    subject, body, own = wording_for(clinic_id, name)
    if own:
        try:
            return render_text(name, subject, body, values)
        except Invalid:
            found = message(name)
            subject, body = found.subject, found.body
    return render_text(name, subject, body, values)


def preview(name: str, subject: str, body: str, clinic: str) -> tuple[str, str]:
    """Rendered with the sample client; refused naming the field and the unknown name."""
    if not subject.strip():
        raise Invalid("a message needs a subject", "subject")
    if not body.strip():
        raise Invalid("a message needs a body", "body")
    if len(subject) > 200:
        raise Invalid("the subject is longer than 200 characters", "subject")
    if len(body) > BODY_MAX:
        raise Invalid(f"the body is longer than {BODY_MAX} characters", "body")
    return render_text(name, subject, body, sample(name, clinic))


def set_wording(ctx: Context, name: str, subject: str, body: str) -> Wording:
    """The admin's clinic's own wording of `name`, checked first (audited)."""
    clinic = ctx.user.clinic
    preview(name, subject, body, clinic.name)
    with transaction.atomic():
        row, _ = Wording.objects.update_or_create(
            clinic=clinic,
            message=name,
            defaults={"subject": subject.strip(), "body": body, "updated_at": ctx.now},
        )
        record(ctx, AuditEvent.Action.UPDATE, row, summary=f"message wording: {name}")
    return row


def reset_wording(ctx: Context, name: str) -> bool:
    """Back to the default wording of `name` (audited). True when there was one."""
    message(name)
    with transaction.atomic():
        row = Wording.objects.filter(clinic_id=ctx.user.clinic_id, message=name).first()
        if row is None:
            return False
        record(
            ctx,
            AuditEvent.Action.DELETE,
            row,
            summary=f"message wording: {name} back to the default",
        )
        row.delete()
    return True
