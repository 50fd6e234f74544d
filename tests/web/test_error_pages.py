"""The site's frame: the 403, 404 and 500 pages, the favicon and the current page in the
navigation, through Django's test client."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from myomap.web import urls, views
from personas import GAIL_BORN, GAIL_FAMILY_NAME

pytestmark = pytest.mark.django_db


def nav(html: str) -> str:
    found = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert found, "the page has no main navigation"
    return found.group(1)


def test_a_missing_page_is_a_styled_404_with_the_navigation(client, alice):
    client.force_login(alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 id="error-heading">We could not find that page</h1>' in html
    assert "Not found · Myomap" in html
    assert 'href="/clients/">Clients</a>' in nav(html)
    assert "Alice Moss" in html and "Sign out" in html
    assert 'href="/">Back to your start page</a>' in html
    # Nothing is current: the page belongs to no section.
    assert "aria-current" not in nav(html)


def test_another_clinics_record_reads_as_not_found_not_as_forbidden(client, alice, bob):
    from myomap.audit.log import Context
    from myomap.clients.actions import ClientData, create_client

    gail = create_client(
        Context(user=alice, via="cli"), ClientData("Gail", GAIL_FAMILY_NAME, GAIL_BORN)
    )
    client.force_login(bob)
    response = client.get(f"/clients/{gail.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert GAIL_FAMILY_NAME not in html
    # Still inside the clients section, and the navigation says so.
    assert '<a href="/clients/" aria-current="page">Clients</a>' in nav(html)


def test_a_page_outside_a_persons_role_is_a_styled_403_with_their_navigation(client, erin):
    client.force_login(erin)
    response = client.get("/clients/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "This page is not open to your account" in html
    links = nav(html)
    assert "Body map" in links and "Knowledge" in links
    assert "Clients" not in links and "Audit" not in links
    assert "Erin Ashdown" in html


def test_the_audit_log_is_403_for_a_therapist(client, alice):
    client.force_login(alice)
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "This page is not open to your account" in response.content.decode()


def test_the_api_keeps_answering_its_errors_in_json(client, alice):
    client.force_login(alice)
    response = client.get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "not found", "field": None}
    response = client.get("/api/clients/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "not found"


def test_the_500_page_renders_without_the_database_or_a_user():
    request = RequestFactory().get("/clients/")
    # No database access is allowed in this test (no django_db mark would stop it too).
    with CaptureQueriesContext(connection) as queries:
        response = views.server_error(request)
    assert len(queries) == 0
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    links = nav(html)
    assert 'href="/">Home</a>' in links and 'href="/body-map/">Body map</a>' in links
    assert "app.css" in html


def test_the_500_page_falls_back_to_plain_html_when_its_template_breaks(monkeypatch):
    def broken(name: str) -> None:
        raise RuntimeError("template storage is gone")

    monkeypatch.setattr(views.loader, "get_template", broken)
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_the_error_handlers_are_wired():
    assert urls.handler403 is views.forbidden
    assert urls.handler404 is views.not_found
    assert urls.handler500 is views.server_error


def test_the_favicon_is_our_svg_linked_from_every_page_and_at_favicon_ico(client, alice):
    client.force_login(alice)
    html = client.get("/body-map/").content.decode()
    assert '<link rel="icon" href="/static/myomap/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/myomap/favicon.svg"
    # Anonymous browsers ask for it too, before anyone signs in.
    client.logout()
    icon = client.get("/favicon.ico", follow=True)
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body.startswith(b"<svg") and b"<title>Myomap</title>" in body


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/clients/", "Clients"),
        ("/body-map/", "Body map"),
        ("/knowledge/", "Knowledge"),
        ("/audit/", "Audit"),
        ("/appointments/", "Calendar"),
        ("/accounts/clinic/", "Clinic"),
        ("/accounts/outbox/", "Clinic"),
    ],
)
def test_the_navigation_marks_the_current_section(client, carol, path, current):
    client.force_login(carol)
    links = nav(client.get(path, follow=True).content.decode())
    marked = re.findall(r'<a href="[^"]*" aria-current="page">([^<]*)</a>', links)
    assert marked == [current]


def test_a_visit_page_lights_clients_in_the_navigation(client):
    from tests.web.records_fixtures import build_world

    world = build_world()
    client.force_login(world.alice)
    links = nav(client.get(f"/visits/{world.visit.pk}/").content.decode())
    assert re.findall(r'aria-current="page">([^<]*)</a>', links) == ["Clients"]


def test_a_forms_address_opened_as_a_page_says_so_and_links_back(client, alice):
    """A reload of a refused form's answer (or a bookmark of it) lands on the form's
    address with GET: a styled page, with the way back to the page it belongs to."""
    client.force_login(alice)
    response = client.get("/visits/439/palpation/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    page = response.content.decode()
    assert "This address is where a form is sent, not a page" in page
    assert 'href="/visits/439/"' in page and "Nothing was changed." in page
    assert response["Cache-Control"] == "no-store"
    # the API keeps its own answers
    api = client.get("/api/visits/439/palpation")
    assert api.status_code == 405 and b"This address is where" not in api.content
