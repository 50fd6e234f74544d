"""Signing in and the body map page, through Django's test client.

The people are tests/personas.py's: alice (therapist at Lakeside) and erin (a Lakeside
client with her own login, whose record is not opened in these tests)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("bodymap:page"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_passwords_are_stored_with_argon2(alice, password):  # alice's is `password`
    assert alice.password.startswith("argon2")


def test_a_wrong_password_is_refused_with_a_message(client, alice, password):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_a_therapist_signs_in_and_lands_on_her_clinics_clients(client, alice, password):
    form = {"username": "alice", "password": password}
    response = client.post(reverse("login"), form, follow=True)
    assert response.redirect_chain[-1][0] == reverse("clients:list")
    html = response.content.decode()
    assert "<h1>Clients</h1>" in html
    assert "Alice Moss" in html


def test_a_client_whose_record_is_not_opened_yet_signs_in_at_the_body_map(client, erin, password):
    form = {"username": "erin", "password": password}
    response = client.post(reverse("login"), form, follow=True)
    # erin's client record is not opened yet, so she starts at the body map.
    assert response.redirect_chain[-1][0] == reverse("bodymap:page")
    html = response.content.decode()
    assert "Pain drawing" in html
    assert "Erin Ashdown" in html


def test_the_body_map_draws_every_region_with_names_and_side_labels(client, alice):
    client.force_login(alice)
    html = client.get(reverse("bodymap:page")).content.decode()
    regions = re.findall(r'data-region="([a-z0-9-]+)"', html)
    assert len(set(regions)) >= 100
    assert 'aria-label="Left sacroiliac joint"' in html
    assert html.count("client&#x27;s left") + html.count("client's left") >= 2
    assert html.count("client&#x27;s right") + html.count("client's right") >= 2
    assert 'tabindex="0"' in html


def test_the_health_check_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.json()["status"] == "ok"


def test_signing_out_needs_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    client.post(reverse("logout"))
    assert client.get(reverse("bodymap:page")).status_code == 302


def test_the_candidates_endpoint_answers_with_patterns_for_the_overlay(client, alice):
    client.force_login(alice)
    response = client.get(
        reverse("bodymap:candidates"), {"r": ["si-joint-left:5", "buttock-upper-left:7"]}
    )
    data = response.json()
    assert response.status_code == 200
    first = data["candidates"][0]
    assert first["side"] == "left"
    assert set(first["pattern"]) == {"essential", "spillover", "local"}
    assert first["pattern"]["essential"]
    assert first["url"].startswith("/knowledge/muscles/")
    assert data["cover"]


def test_the_candidates_endpoint_names_a_bad_region(client, alice):
    client.force_login(alice)
    response = client.get(reverse("bodymap:candidates"), {"r": ["si-joint-lft:5"]})
    assert response.status_code == 400
    assert "unknown region 'si-joint-lft'" in response.json()["error"]


def test_the_candidates_endpoint_needs_a_sign_in(client, db):
    assert client.get(reverse("bodymap:candidates"), {"r": ["sacrum:4"]}).status_code == 302


def test_repeated_wrong_passwords_are_throttled_with_a_clear_message(client, alice, password):
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Too many failed sign-ins" in html and "try again in 15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_earlier_failures(client, alice, password):
    for _ in range(4):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    client.post(reverse("login"), {"username": "alice", "password": password})
    client.logout()
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    form = {"username": "alice", "password": password}
    response = client.post(reverse("login"), form, follow=True)
    assert response.redirect_chain


@pytest.mark.django_db
def test_a_client_with_a_record_signs_in_at_his_own_portal() -> None:
    """Dan's record is open (tests/web/records_fixtures.py): signing in takes him to his
    portal (today's home program), not to the clinical record."""
    from django.test import Client
    from records_fixtures import IP, build_world

    world = build_world()
    world.dan.set_password("a-long-enough-secret")
    world.dan.save(update_fields=["password"])
    browser = Client(REMOTE_ADDR=IP)
    form = {"username": "dan", "password": "a-long-enough-secret"}
    response = browser.post(reverse("login"), form, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:today")
    html = response.content.decode()
    assert "My program" in html and "Dan" in html
