"""The assessment page's candidate rows, written in one pass: the same HTML the row
template gave (tests/web/test_fast_paths.py holds them side by side), several times
cheaper than ten trips through the template engine. The palpation form in the open row is
still the `visits/_palpation_form.html` template."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from django import template
from django.template import engines
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

FORM = "visits/_palpation_form.html"


def _row(row: dict[str, Any], staff: bool, form: str) -> str:
    c = row["candidate"]
    point, side, name = escape(c.trigger_point), escape(c.side), escape(c.trigger_point_name)
    found = row["found"]
    score = escape(str(floatformat(c.score, 2)))
    out = [
        f'\n      <li id="{point}-{side}" class="exam-item{" examined" if found else ""}">\n'
        f'        <div class="candidate-head"><strong>{name}</strong>'
        f'<span class="candidate-meta">{side} · {score}</span></div>\n'
        f'        <div class="candidate-why">{escape(row["why"])}</div>\n        '
    ]
    if found:
        out.append(f'<p class="muted">Examined: {escape(row["signs"] or "no signs")}</p>')
    out.append("\n        ")
    if staff:
        if row["open"]:
            out.append(form)
        query = f"?point={quote(c.trigger_point, safe='/')}&amp;side={quote(c.side, safe='/')}"
        out.append(
            f'\n        <a class="palpate-link" href="{query}#{point}-{side}" '
            f'data-point="{point}" data-side="{side}" data-name="{name}" '
            f'data-finding="{escape(row["data"])}"{" hidden" if row["open"] else ""}>'
            f"{'Change this finding' if found else 'Record a finding'}"
            f'<span class="visually-hidden"> for {name}, {side}</span></a>'
        )
    out.append("\n      </li>\n    ")
    return "".join(out)


@register.simple_tag(takes_context=True)
def candidate_rows(context: template.Context) -> SafeString:
    """`<li>` per candidate: name, side and score, why, what was examined, and for staff
    on an unsigned record the palpation form (in the open row) or the link that opens it."""
    staff = bool(context["user"].is_staff_member) and not context["signed"]
    engine = context.template.engine if context.template is not None else None
    out = []
    for row in context["rows"]:
        form = ""
        if staff and row["open"]:
            c = row["candidate"]
            with context.push(name=c.trigger_point_name, side=c.side):
                form = (engine or engines["django"].engine).get_template(FORM).render(context)  # type: ignore[attr-defined]
        out.append(_row(row, staff, form))
    return mark_safe("".join(out))  # every value above is escaped
