"""`{% url %}` keeps a link whose arguments are record numbers or knowledge-base ids (the
questionnaire links every visit's card repeats) and gives Django's URL for it; a link with
anything else in it (a reset token) is reversed each time and never kept in memory."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import reverse

from myomap.web.templatetags import fast


def render(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("instrument", ["nprs", "startback", "peg"])
def test_a_link_with_a_knowledge_id_is_djangos_and_kept(instrument: str) -> None:
    expected = reverse("outcomes:entry", args=[7, instrument])
    fast._reversed.cache_clear()
    assert render("{% url 'outcomes:entry' 7 i %}", i=instrument) == expected
    assert render("{% url 'outcomes:entry' 7 i %}", i=instrument) == expected
    info = fast._reversed.cache_info()
    assert (info.misses, info.hits, info.currsize) == (1, 1, 1)


@pytest.mark.parametrize(
    "token",
    ["c3zr7d-4d4f8e9c6b5a7d3e2f1a0b9c8d7e6f5a", "MQ", "abc_def", "a" * 49, "Nprs", "nprs-"],
)
def test_anything_else_is_reversed_each_time_and_not_kept(token: str) -> None:
    assert not fast._kept(token)
    assert fast._kept("quadratus-lumborum-deep-caudal") and fast._kept(12)
    assert not fast._kept(True) and not fast._kept(3.0)
