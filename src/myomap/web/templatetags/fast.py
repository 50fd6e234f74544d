"""Faster `{% url %}` and `|date`, loaded as template builtins (settings.TEMPLATES), so every
template gets them under the usual names with the same output.

A list page of 50 rows reverses a URL and formats a date or two per row: Django's
`reverse` walks the resolver each time, and `|date` builds a formatter per value. Here a
URL, once reversed, is kept for its name and arguments (URLs are fixed while the process
runs; the script prefix and URL conf are part of the key), and the formats the templates
use are compiled once into plain string building. Anything else goes to Django's own."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters, defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import dates
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=16384)
def _reversed(
    view_name: str,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
    current_app: str | None,
    prefix: str,
    urlconf: str | None,
) -> str:
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


@receiver(setting_changed)
def _forget_on_new_urls(setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


def cached_reverse(
    view_name: str,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    current_app: str | None = None,
) -> str:
    """`reverse`, remembered when every argument is a whole number (a record's id) or a
    knowledge-base id (`nprs`, `quadratus-lumborum`: letters and hyphens only): the links
    a list or a card repeats. Anything else (a reset link's token, which has digits, an
    object) is reversed as Django does, never kept."""
    items = tuple(sorted((kwargs or {}).items()))
    if all(_kept(v) for v in (*args, *(v for _, v in items))):
        return _reversed(view_name, args, items, current_app, get_script_prefix(), get_urlconf())
    return reverse(view_name, args=args, kwargs=dict(items), current_app=current_app)


_NAME = re.compile(r"[a-z]+(?:-[a-z]+)*")


def _kept(value: Any) -> bool:
    if type(value) is int:
        return True
    return type(value) is str and len(value) <= 48 and _NAME.fullmatch(value) is not None


class CachedURLNode(defaulttags.URLNode):
    def render(self, context: template.Context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        if request is not None and hasattr(request, "current_app"):  # as in Django's tag
            current_app = request.current_app
        else:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = ""
        try:
            url = cached_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> CachedURLNode:
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


# ---------------------------------------------------------------------------- dates

Part = Callable[[dt.date], str]


def _month_abbr(d: dt.date) -> str:
    return str(dates.MONTHS_3[d.month]).title()


def _month(d: dt.date) -> str:
    return str(dates.MONTHS[d.month])


# Format characters compiled here, with the output of Django's own for the same letter.
PARTS: dict[str, Part] = {
    "j": lambda d: str(d.day),
    "d": lambda d: f"{d.day:02d}",
    "n": lambda d: str(d.month),
    "m": lambda d: f"{d.month:02d}",
    "M": _month_abbr,
    "F": _month,
    "Y": lambda d: f"{d.year:04d}",
}
TIME_PARTS: dict[str, Callable[[dt.datetime], str]] = {
    "H": lambda d: f"{d.hour:02d}",
    "i": lambda d: f"{d.minute:02d}",
    "s": lambda d: f"{d.second:02d}",
}
LITERALS = frozenset(" :-/.,")


@lru_cache(maxsize=64)
def _compiled(fmt: str, language: str | None) -> tuple[tuple[Any, bool], ...] | None:
    """The format as (part, needs a time) pairs, or None when it has a letter or escape
    left to Django's formatter. Month names are those of the active language (`language`
    is part of the key), looked up once here rather than for every value."""
    del language
    named = {"M": _month_abbr, "F": _month}
    out: list[tuple[Any, bool]] = []
    for char in fmt:
        if char in named:
            names = [named[char](dt.date(2000, month, 1)) for month in range(1, 13)]
            out.append((lambda d, names=names: names[d.month - 1], False))
        elif char in PARTS:
            out.append((PARTS[char], False))
        elif char in TIME_PARTS:
            out.append((TIME_PARTS[char], True))
        elif char in LITERALS:
            out.append((char, False))
        else:
            return None
    return tuple(out)


def formatter(fmt: str) -> Callable[[Any], str]:
    """`|date:fmt` as a function, compiled once, for code that formats many values."""
    compiled = _compiled(fmt, get_language())
    if compiled is None:
        return lambda value: str(defaultfilters.date(value, fmt))
    return lambda value: _format(value, fmt, compiled)


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """Django's `|date`, with the same output."""
    compiled = _compiled(arg, get_language()) if arg else None
    if compiled is None:
        return str(defaultfilters.date(value, arg))
    return _format(value, arg, compiled)  # type: ignore[arg-type]


def _format(value: Any, arg: str, compiled: tuple[tuple[Any, bool], ...]) -> str:
    if type(value) not in (dt.date, dt.datetime):
        return str(defaultfilters.date(value, arg))
    has_time = type(value) is dt.datetime
    pieces = []
    for part, needs_time in compiled:
        if isinstance(part, str):
            pieces.append(part)
        elif needs_time and not has_time:
            return str(defaultfilters.date(value, arg))
        else:
            pieces.append(part(value))
    return "".join(pieces)
