"""Long lists a page at a time: the client list and the audit log on the web, and the API's
lists, with the total, page links that keep the search or filters, the visit counts of
the clients shown, and a clear answer to a page number that is not one.

Alice is Lakeside's therapist, Carol its clinic admin, Bob a therapist at Hilltop (whose
clients Lakeside never sees). The extra clients come from `make_clients` below."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable

import pytest
from django.test import Client as Browser
from django.utils import timezone

from myomap.accounts.models import Clinic, User
from myomap.api.models import ApiToken
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client, Intake
from myomap.visits.models import Visit

pytestmark = pytest.mark.django_db


def make_clients(clinic: Clinic, by: User, names: Iterable[tuple[str, str]]) -> list[Client]:
    """Clients of `clinic` named (given, family), born on 1 Jan 1970."""
    return Client.objects.bulk_create(
        Client(
            clinic=clinic,
            given_name=given,
            family_name=family,
            date_of_birth=dt.date(1970, 1, 1),
            created_by=by,
        )
        for given, family in names
    )


def numbered(count: int, family: str = "Client") -> list[tuple[str, str]]:
    """("Pat001", "Client") ... : names whose list order is their number."""
    return [(f"Pat{n:03}", family) for n in range(1, count + 1)]


def web(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def api(user: User) -> Browser:
    return Browser(headers={"Authorization": f"Bearer {ApiToken.issue(user, 'tests')[1]}"})


def names_shown(html: str) -> list[str]:
    """The client names of the list's table, in order ("Client, Pat001")."""
    return re.findall(r'<a href="/clients/\d+/">([^<]+)</a>', html)


def pager(html: str) -> str:
    found = re.search(r'<nav class="pager-nav".*?</nav>', html, re.S)
    assert found, "no page links"
    return found.group()


# ----------------------------------------------------------------------------- client list
def test_the_client_list_shows_a_page_at_a_time_with_the_total(alice: User, bob: User) -> None:
    make_clients(alice.clinic, alice, numbered(120))
    make_clients(bob.clinic, bob, numbered(7, "Hilltopper"))  # never counted at Lakeside
    html = web(alice).get("/clients/").content.decode()
    assert names_shown(html) == [f"Client, Pat{n:03}" for n in range(1, 51)]
    links = pager(html)
    assert "Page 1 of 3 · 120 clients" in links
    assert 'aria-label="Pages of the client list"' in links
    assert re.search(r'href="\?page=1" aria-current="page"', links)
    assert 'href="?page=2" rel="next"' in links and 'rel="prev"' not in links

    last = web(alice).get("/clients/", {"page": "3"}).content.decode()
    assert names_shown(last) == [f"Client, Pat{n:03}" for n in range(101, 121)]
    assert "Page 3 of 3 · 120 clients" in last
    assert 'href="?page=2" rel="prev"' in last and 'rel="next"' not in last


def test_a_thousands_total_is_written_with_a_separator_and_far_pages_are_skipped(
    alice: User,
) -> None:
    make_clients(alice.clinic, alice, numbered(1003))
    html = web(alice).get("/clients/", {"page": "7"}).content.decode()
    links = pager(html)
    assert "Page 7 of 21 · 1,003 clients" in links
    shown = re.findall(r"<span class=\"visually-hidden\">Page </span>(\d+)</a>", links)
    assert shown == ["1", "5", "6", "7", "8", "9", "21"]
    assert links.count("…") == 2


def test_the_page_links_keep_the_search(alice: User) -> None:
    make_clients(alice.clinic, alice, numbered(60, "Smith") + numbered(30, "Jones"))
    html = web(alice).get("/clients/", {"q": "smi"}).content.decode()
    assert "Page 1 of 2 · 60 clients" in html
    assert 'href="?q=smi&amp;page=2" rel="next"' in html
    second = web(alice).get("/clients/", {"q": "smi", "page": "2"}).content.decode()
    assert names_shown(second) == [f"Smith, Pat{n:03}" for n in range(51, 61)]


@pytest.mark.parametrize(
    ("typed", "shown", "notice"),
    [
        ("0", 1, "There is no page 0: showing page 1."),
        ("-1", 1, "There is no page -1: showing page 1."),
        ("abc", 1, "“abc” is not a page number: showing page 1."),
        ("99", 3, "There is no page 99: showing the last, page 3."),
        ("9" * 30, 3, "showing the last, page 3."),
    ],
)
def test_a_page_number_that_is_not_a_page_shows_the_nearest_with_a_notice(
    alice: User, typed: str, shown: int, notice: str
) -> None:
    make_clients(alice.clinic, alice, numbered(120))
    response = web(alice).get("/clients/", {"page": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert notice in html
    assert f"Page {shown} of 3" in html
    assert names_shown(html)[0] == f"Client, Pat{(shown - 1) * 50 + 1:03}"


def test_an_empty_search_says_nothing_starts_so(alice: User) -> None:
    make_clients(alice.clinic, alice, numbered(3))
    html = web(alice).get("/clients/", {"q": "zz", "page": "4"}).content.decode()
    assert "No client\u2019s name starts with “zz”." in html
    assert names_shown(html) == []


def test_the_visit_counts_are_those_stored_for_the_clients_shown(alice: User) -> None:
    clients = make_clients(alice.clinic, alice, numbered(60))
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
    # Pat051 (on page 2) has three visits, the last on 9 Mar; Pat052 one; the rest none.
    for client, days in ((clients[50], (0, 3, 7)), (clients[51], (1,)), (clients[0], (2,))):
        intake = Intake.objects.create(client=client, recorded_by=alice, complaint="Neck")
        for day in days:
            Visit.objects.create(
                client=client,
                intake=intake,
                therapist=alice,
                started_at=start + dt.timedelta(days=day),
            )
    assert Visit.objects.filter(client=clients[50]).count() == 3
    html = web(alice).get("/clients/", {"page": "2"}).content.decode()
    row = r'>([^<]+)</a></td>.*?"Visits">(\d+)</td>\s*<td data-label="Last visit">([^<]+)<'
    rows = re.findall(row, html, re.S)
    assert rows[:3] == [
        ("Client, Pat051", "3", "9 Mar 2026"),
        ("Client, Pat052", "1", "3 Mar 2026"),
        ("Client, Pat053", "0", "—"),
    ]


def test_the_audit_records_which_page_of_the_list_was_read(alice: User) -> None:
    make_clients(alice.clinic, alice, numbered(60))
    web(alice).get("/clients/", {"page": "2"})
    event = AuditEvent.objects.filter(actor=alice, summary__startswith="client list").get()
    assert event.summary == "client list (10 of 60, page 2)"


# ----------------------------------------------------------------------------- API lists
def test_the_api_client_list_pages_with_count_page_and_pages(alice: User, bob: User) -> None:
    make_clients(alice.clinic, alice, numbered(120))
    make_clients(bob.clinic, bob, numbered(7, "Hilltopper"))
    body = api(alice).get("/api/clients", {"page": "3"}).json()
    assert (body["count"], body["page"], body["pages"]) == (120, 3, 3)
    assert [c["given_name"] for c in body["items"]] == [f"Pat{n:03}" for n in range(101, 121)]
    first = api(alice).get("/api/clients").json()
    assert (first["page"], len(first["items"])) == (1, 50)


@pytest.mark.parametrize("typed", ["0", "-1", "abc", "1.5"])
def test_the_api_refuses_a_page_that_is_not_a_page_number_naming_page(
    alice: User, typed: str
) -> None:
    response = api(alice).get("/api/clients", {"page": typed})
    assert response.status_code == 422
    assert [p["loc"][-1] for p in response.json()["detail"]] == ["page"]


def test_the_api_answers_a_page_past_the_end_with_the_last_page(alice: User) -> None:
    make_clients(alice.clinic, alice, numbered(60))
    body = api(alice).get("/api/clients", {"page": "99"}).json()
    assert (body["count"], body["page"], body["pages"], len(body["items"])) == (60, 2, 2, 10)


def test_the_api_search_pages_too(alice: User) -> None:
    make_clients(alice.clinic, alice, numbered(60, "Smith") + numbered(30, "Jones"))
    body = api(alice).get("/api/clients", {"q": "smi", "page": "2"}).json()
    assert (body["count"], body["pages"]) == (60, 2)
    assert {c["family_name"] for c in body["items"]} == {"Smith"}


# ----------------------------------------------------------------------------- audit log
def make_events(clinic: Clinic, actor: User, count: int, **fields: object) -> None:
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            clinic=clinic,
            actor=actor,
            actor_name=actor.username,
            action=fields.get("action", "view"),
            object_type="client",
            object_id=str(n),
            summary=f"event {n:03}",
            at=now - dt.timedelta(days=1, minutes=n),  # event 000 is the newest
        )
        for n in range(count)
    )


def test_the_audit_log_pages_newest_first_keeping_its_filter(carol: User, alice: User) -> None:
    make_events(carol.clinic, alice, 75, action="update")
    make_events(carol.clinic, alice, 30, action="create")
    upto = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    html = web(carol).get("/audit/", {"action": "update"}).content.decode()
    links = pager(html)
    assert "Page 1 of 2 · 75 events" in links
    assert 'aria-label="Pages of the audit log, newest first"' in links
    assert f'href="?action=update&amp;upto={upto}&amp;page=2" rel="next">Older' in links
    older = web(carol).get("/audit/", {"action": "update", "page": "2"}).content.decode()
    summaries = re.findall(r"event (\d{3})", older)
    assert summaries == [f"{n:03}" for n in range(50, 75)]
    assert '&amp;page=1" rel="prev">Newer' in older


def test_the_audit_log_pages_keep_to_the_log_as_it_was_opened(carol: User, alice: User) -> None:
    """Reading the log is logged, and the clinic goes on working meanwhile: page 2, reached
    from page 1's link, starts where page 1 ended, not one row back for each new event."""
    make_events(carol.clinic, alice, 60, action="update")
    first = web(carol).get("/audit/").content.decode()
    shown_first = re.findall(r"event (\d{3})", first)
    link = re.search(r'href="(\?[^"]*page=2)" rel="next"', first)
    assert link is not None and "upto=" in link.group(1)
    make_events(carol.clinic, alice, 5, action="create")  # new events meanwhile, the newest
    second = web(carol).get("/audit/" + html.unescape(link.group(1))).content.decode()
    shown_second = re.findall(r"event (\d{3})", second)
    assert not set(shown_first) & set(shown_second)
    assert len(shown_first) + len(shown_second) == 60  # the 60 events, each once
    assert "The log as it was when you opened it" in second
    assert '<a href="?">the newest page</a>' in second


def test_the_audit_log_shows_the_nearest_page_for_a_bad_page_number(carol: User) -> None:
    make_events(carol.clinic, carol, 10)
    html = web(carol).get("/audit/", {"page": "abc"}).content.decode()
    assert "“abc” is not a page number: showing page 1." in html
    assert "Page 1 of 1" in html


def test_the_api_audit_log_pages_and_refuses_a_bad_page(carol: User, alice: User) -> None:
    make_events(carol.clinic, alice, 120, action="update")
    body = api(carol).get("/api/audit", {"action": "update", "page": "3"}).json()
    assert (body["count"], body["page"], body["pages"]) == (120, 3, 3)
    assert [e["summary"] for e in body["items"]] == [f"event {n:03}" for n in range(100, 120)]
    refused = api(carol).get("/api/audit", {"page": "0"})
    assert refused.status_code == 422
    assert [p["loc"][-1] for p in refused.json()["detail"]] == ["page"]


def test_a_list_of_one_says_so_in_the_singular(alice: User) -> None:
    """ "1 client", not "1 clients"; and "2 clients" for two."""
    make_clients(alice.clinic, alice, [("Gail", "Fenwick")])
    assert "Page 1 of 1 · 1 client</p>" in pager(web(alice).get("/clients/").content.decode())
    make_clients(alice.clinic, alice, [("John", "Smith")])
    assert "Page 1 of 1 · 2 clients</p>" in pager(web(alice).get("/clients/").content.decode())
