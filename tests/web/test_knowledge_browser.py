"""The knowledge browser: search, muscle pages with their patterns, exercises, safety."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from myomap.core.kb import load_default

KB = load_default()


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


@pytest.mark.django_db
def test_the_knowledge_pages_need_a_sign_in(client):
    for url in (reverse("reference:index"), reverse("reference:muscle", args=["piriformis"])):
        assert client.get(url).status_code == 302


def test_search_finds_a_muscle_by_its_alias(signed_in):
    html = signed_in.get(reverse("reference:index"), {"q": "QL"}).content.decode()
    assert 'href="/knowledge/muscles/quadratus-lumborum/"' in html


def test_search_finds_erector_spinae_under_both_of_its_muscles(signed_in):
    html = signed_in.get(reverse("reference:index"), {"q": "erector spinae"}).content.decode()
    assert "/knowledge/muscles/iliocostalis-lumborum/" in html
    assert "/knowledge/muscles/longissimus-thoracis/" in html


def test_search_with_no_match_says_so(signed_in):
    html = signed_in.get(reverse("reference:index"), {"q": "xylophone"}).content.decode()
    assert "0 results" in html and "Nothing matches" in html


def test_a_muscle_page_draws_its_trigger_points_and_zones(signed_in):
    html = signed_in.get(reverse("reference:muscle", args=["quadratus-lumborum"])).content.decode()
    points = [tp for tp in KB.trigger_points.values() if tp.muscle == "quadratus-lumborum"]
    assert len(points) == 4
    for point in points:
        assert f'id="{point.id}"' in html
    assert "zone-essential" in html and "zone-spillover" in html
    assert len(re.findall(r'class="marker"', html)) == 4
    assert "Sources" in html


def test_an_unknown_muscle_is_a_404(signed_in):
    assert signed_in.get(reverse("reference:muscle", args=["no-such-muscle"])).status_code == 404


def test_an_exercise_page_shows_steps_and_its_illustration(signed_in):
    exercise = next(iter(KB.exercises.values()))
    html = signed_in.get(reverse("reference:exercise", args=[exercise.id])).content.decode()
    for step in exercise.steps:
        assert step.replace("'", "&#x27;").replace('"', "&quot;") in html
    svg = signed_in.get(reverse("reference:illustration", args=[exercise.id]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(svg.streaming_content)


def test_a_region_page_lists_every_trigger_point_referring_there(signed_in):
    html = signed_in.get(reverse("reference:region", args=["si-joint"])).content.decode()
    referring = {
        tp.id for tp in KB.trigger_points.values() if any(z.region == "si-joint" for z in tp.zones)
    }
    assert referring
    for tp_id in referring:
        assert f"#{tp_id}" in html


def test_the_safety_page_lists_red_flags_first_with_their_urgency(signed_in):
    html = signed_in.get(reverse("reference:safety")).content.decode()
    assert html.index("Red flags") < html.index("Contraindications")
    for flag in KB.red_flags.values():
        assert f'id="{flag.id}"' in html
    assert "urgency-emergency" in html
