"""The audit log filtered to one client by the start of their name (as the client list
finds names) or by their number; a name several clients share offers them to choose from;
a name or number of nobody at the clinic says so. Each client named in the log is a link
to their events only, and the way in is said in words ("command line", not "cli").

The people are tests/personas.py's: carol (Lakeside's clinic admin), alice (a therapist),
dan and erin (Lakeside clients), bob (Hilltop)."""

from __future__ import annotations

import html

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from myomap.accounts.models import User
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from personas import DAN_BORN, DAN_FAMILY_NAME, ERIN_BORN, ERIN_FAMILY_NAME

pytestmark = pytest.mark.django_db

LOG = reverse("audit:log")


def record_of(user: User | None, given: str, family: str, born: object, by: User) -> Client:
    return Client.objects.create(
        clinic=by.clinic,
        user=user,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        created_by=by,
        treatment_consent_at=timezone.now(),
        data_consent_at=timezone.now(),
    )


@pytest.fixture
def records(alice: User, dan: User, erin: User) -> tuple[Client, Client]:
    dans = record_of(dan, "Dan", DAN_FAMILY_NAME, DAN_BORN, alice)
    erins = record_of(erin, "Erin", ERIN_FAMILY_NAME, ERIN_BORN, alice)
    record(Context(user=alice), AuditEvent.Action.VIEW, dans, summary="read dan's record")
    record(Context(user=alice, via="cli"), AuditEvent.Action.VIEW, erins, summary="erin by cli")
    return dans, erins


def page(carol: User, **query: str) -> str:
    browser = Browser()
    browser.force_login(carol)
    response = browser.get(LOG, query)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_start_of_a_name_shows_that_clients_events_only(
    carol: User, records: tuple[Client, Client]
) -> None:
    dans, _ = records
    shown = page(carol, client=DAN_FAMILY_NAME[:3].lower())
    assert f"Events of <strong>{dans}</strong> (client {dans.pk})" in shown
    assert "read dan's record" in shown
    assert "erin by cli" not in shown
    # reading the log filtered to Dan is a read of Dan's record, in the log
    [read] = AuditEvent.objects.filter(summary=f"audit log (client {dans.pk})")
    assert read.client_id == dans.pk


def test_a_number_still_filters_and_each_client_in_the_log_links_to_their_events(
    carol: User, records: tuple[Client, Client]
) -> None:
    dans, erins = records
    everyone = page(carol)
    assert f'href="?client={erins.pk}"' in everyone
    assert f'href="?client={dans.pk}"' in everyone
    assert "command line" in everyone  # erin's event came in by the command line
    only_erin = page(carol, client=str(erins.pk))
    assert f"Events of <strong>{erins}</strong>" in only_erin
    assert "erin by cli" in only_erin and "read dan's record" not in only_erin


def test_a_name_several_clients_share_offers_them(
    carol: User, alice: User, dan: User, records: tuple[Client, Client]
) -> None:
    dans, _ = records
    other = record_of(None, "Dora", DAN_FAMILY_NAME, DAN_BORN, alice)
    shown = page(carol, client=DAN_FAMILY_NAME)
    assert f"2 clients' names start with “{DAN_FAMILY_NAME}”: whose events?" in shown
    assert f'href="?client={dans.pk}"' in shown and f'href="?client={other.pk}"' in shown
    assert "read dan's record" not in shown  # no events until one is chosen


def test_a_name_or_number_of_nobody_says_so_and_another_clinics_client_is_nobody(
    carol: User, bob: User, alice: User, records: tuple[Client, Client]
) -> None:
    hilltop = record_of(None, "Hal", "Quist", DAN_BORN, bob)
    assert "No client's name starts with “zzq”." in page(carol, client="zzq")
    assert "No client's name starts with “Quist”." in page(carol, client="Quist")
    assert f"There is no client {hilltop.pk} at your clinic." in page(carol, client=str(hilltop.pk))
    assert "There is no client 99999999999999999999 at your clinic." in page(carol, client="9" * 20)
