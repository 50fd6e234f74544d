"""Django's form renderer, with the plain widgets written in Python.

Django renders every widget through a small template (an `<input>` through input.html and
attrs.html, a `<select>` through an include per option); a form of eight fields costs
close to a millisecond that way. The widgets here print exactly what those templates
print (tests/web/test_fast_paths.py holds them side by side); any other widget, or a
widget whose options use another template, is rendered by Django as before."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
# The widget templates that are only `{% include "django/forms/widgets/input.html" %}`.
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in [
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
)
OPTION = f"{WIDGETS}select_option.html"


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` in an autoescaped template."""
    if isinstance(value, tuple):  # "%s" % a tuple formats its items: leave it to Django
        raise _Unsupported
    return str(conditional_escape(value if isinstance(value, SafeData) else str(value)))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{_text(value)}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = f' value="{_text(value)}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


def _select(widget: Mapping[str, Any]) -> str:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name and not isinstance(group_name, str):
            raise _Unsupported
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                raise _Unsupported
            if not isinstance(option["label"], str):  # the template localizes numbers, dates
                raise _Unsupported
            out.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the option file's last line
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class _Unsupported(Exception):
    """A value the Python version does not print as the template would."""


RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **dict.fromkeys(INPUTS, _input),
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}


class FastWidgets(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        python = RENDERERS.get(template_name)
        if python is not None and set(context) == {"widget"}:
            try:
                return python(context["widget"])
            except _Unsupported:
                pass
        return str(super().render(template_name, context, request))
