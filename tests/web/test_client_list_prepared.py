"""A therapist's whole client list (no search) is read through prepared statements: the
same count and the same rows, page for page, as the plain queryset, only this clinic's
clients, and a client added a moment ago is on the next page read (statements are kept,
never rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as Browser

from myomap.accounts.models import User
from myomap.clients import queries
from myomap.clients.models import Client

pytestmark = pytest.mark.django_db


def add(user: User, names: list[tuple[str, str]]) -> None:
    Client.objects.bulk_create(
        Client(
            clinic=user.clinic,
            given_name=given,
            family_name=family,
            date_of_birth=dt.date(1970, 1, 1),
            created_by=user,
        )
        for given, family in names
    )


def test_the_prepared_list_is_the_plain_one_page_for_page(alice: User, bob: User) -> None:
    add(alice, [(f"Pat{n:03}", "Østergaard" if n % 3 else "Dvořák") for n in range(1, 121)])
    add(bob, [("Hilda", "Hilltop")])
    rows = queries.client_list_for_pages(alice)
    assert isinstance(rows, queries.ClinicList)
    plain = queries.client_list(alice).values_list(*queries.LIST_COLUMNS)
    assert len(rows) == plain.count() == Client.objects.filter(clinic=alice.clinic).count()
    for start in (0, 50, 100, 150):
        assert rows[start : start + 50] == list(plain[start : start + 50])
    assert rows[0] == plain[0]
    assert all(row[1] != "Hilltop" for row in rows[0:200])
    # a search, and anyone but staff, read through the plain queryset
    assert not isinstance(queries.client_list_for_pages(alice, "dvo"), queries.ClinicList)
    with pytest.raises(ValueError, match="rows\\[start:stop\\]"):
        rows[10:0]


def test_the_page_shows_a_client_added_a_moment_ago(alice: User) -> None:
    add(alice, [(f"Pat{n:03}", "Client") for n in range(1, 61)])
    total = Client.objects.filter(clinic=alice.clinic).count()
    browser = Browser()
    browser.force_login(alice)
    before = browser.get("/clients/").content.decode()
    assert f"Page 1 of 2 · {total} clients" in before
    add(alice, [("Aaron", "Aardvark")])
    after = browser.get("/clients/").content.decode()
    assert "Aardvark, Aaron" in after and "Aardvark" not in before
    assert f"Page 1 of 2 · {total + 1} clients" in after
