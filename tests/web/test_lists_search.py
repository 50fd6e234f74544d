"""The client search finds names by how they start, family or given name first, whatever
the capitals or accents, on the web list and in the API; a corrected name is found by its
new spelling at once. Alice is Lakeside's therapist; Gail Fenwick (personas) a client;
Bob a therapist at Hilltop, whose clients never show at Lakeside."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from html import unescape as html_unescape

import pytest
from django.apps import apps as django_apps
from django.test import Client as Browser

from myomap.accounts.models import User
from myomap.api.models import ApiToken
from myomap.audit.log import Context
from myomap.clients import actions
from myomap.clients.models import Client, name_key
from personas import GAIL_BORN, GAIL_FAMILY_NAME

pytestmark = pytest.mark.django_db

NAMES = [
    ("Gail", GAIL_FAMILY_NAME),
    ("John", "Smith"),
    ("Anna", "Goldsmith"),
    ("Hannah", "Annan"),
    ("Zoë", "Müller"),
    ("José", "Öztürk-Brown"),
    ("Siobhán", "O'Brien"),
    ("Wilhelm", "Straße"),
]


@pytest.fixture
def lakeside(alice: User, bob: User) -> dict[str, Client]:
    """Lakeside's clients of NAMES by given name, and one Bob Smith at Hilltop."""
    ctx = Context(user=alice, via="cli")
    made = {
        given: actions.create_client(
            ctx,
            actions.ClientData(
                given, family, GAIL_BORN if given == "Gail" else dt.date(1980, 1, 1)
            ),
        )
        for given, family in NAMES
    }
    actions.create_client(
        Context(user=bob, via="cli"), actions.ClientData("Bob", "Smith", dt.date(1970, 1, 1))
    )
    return made


def found_on_the_web(user: User, query: str) -> list[str]:
    browser = Browser()
    browser.force_login(user)
    html = browser.get("/clients/", {"q": query}).content.decode()
    return [html_unescape(n) for n in re.findall(r'<a href="/clients/\d+/">([^<]+)</a>', html)]


def found_in_the_api(user: User, query: str) -> list[str]:
    token = ApiToken.issue(user, "tests")[1]
    body = (
        Browser(headers={"Authorization": f"Bearer {token}"})
        .get("/api/clients", {"q": query})
        .json()
    )
    return [f"{c['family_name']}, {c['given_name']}" for c in body["items"]]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("smi", ["Smith, John"]),  # Goldsmith contains "smi" but does not start with it
        ("ann", ["Annan, Hannah", "Goldsmith, Anna"]),  # family or given name
        ("fen", [f"{GAIL_FAMILY_NAME}, Gail"]),
        ("gail fen", [f"{GAIL_FAMILY_NAME}, Gail"]),  # given name, then family name
        ("Fenwick   G", [f"{GAIL_FAMILY_NAME}, Gail"]),  # family, then given; spaces folded
        ("MULL", ["Müller, Zoë"]),
        ("müll", ["Müller, Zoë"]),
        ("zoe", ["Müller, Zoë"]),
        ("ozturk", ["Öztürk-Brown, José"]),
        ("ozturk brown", ["Öztürk-Brown, José"]),
        ("o'bri", ["O'Brien, Siobhán"]),
        ("siobhan o", ["O'Brien, Siobhán"]),
        ("strasse", ["Straße, Wilhelm"]),
        ("ith", []),
        ("brown", []),  # the second part of a family name is not its start
    ],
)
def test_the_search_finds_names_by_how_they_start(
    alice: User, lakeside: dict[str, Client], query: str, names: list[str]
) -> None:
    assert found_on_the_web(alice, query) == names
    assert found_in_the_api(alice, query) == names


def test_an_empty_search_lists_everyone_of_the_clinic(
    alice: User, lakeside: dict[str, Client]
) -> None:
    assert len(found_on_the_web(alice, "  ")) == len(NAMES)
    assert "Smith, Bob" not in found_on_the_web(alice, "")


def test_a_control_character_in_the_search_is_dropped_on_the_web(
    alice: User, lakeside: dict[str, Client]
) -> None:
    assert found_on_the_web(alice, "Smi\x00th") == ["Smith, John"]


def test_a_corrected_name_is_found_by_its_new_spelling(
    alice: User, lakeside: dict[str, Client]
) -> None:
    john = lakeside["John"]
    data = actions.ClientData("Jon", "Smyth", john.date_of_birth)
    actions.update_client(Context(user=alice, via="cli"), john, data, "typo at intake")
    stored = Client.objects.get(pk=john.pk)
    assert (stored.family_key, stored.given_key) == ("smyth jon", "jon smyth")
    assert found_on_the_web(alice, "smyth") == ["Smyth, Jon"]
    assert found_on_the_web(alice, "smith") == []
    assert found_in_the_api(alice, "jon sm") == ["Smyth, Jon"]


def test_the_search_hint_says_it_matches_the_start_of_names(alice: User) -> None:
    browser = Browser()
    browser.force_login(alice)
    html = browser.get("/clients/").content.decode()
    assert 'aria-describedby="q-hint"' in html
    assert "Finds names that start with what you type" in html


def test_a_name_key_folds_case_and_accents_and_joins_words_with_one_space() -> None:
    assert name_key("  Öztürk-Brown ") == "ozturk brown"
    assert name_key("Straße") == "strasse"
    assert name_key("ZOË") == "zoe"
    assert name_key("O\u2019Brien\tSiobhán") == "o brien siobhan"


def test_the_migration_fills_the_search_keys_of_clients_recorded_before_it(
    alice: User, lakeside: dict[str, Client]
) -> None:
    migration = importlib.import_module(
        "myomap.clients.migrations.0008_name_search_keys_and_list_indexes"
    )
    Client.objects.update(family_key="", given_key="")  # as the column was added
    assert found_on_the_web(alice, "smi") == []
    migration.fill_keys(django_apps, None)
    assert found_on_the_web(alice, "smi") == ["Smith, John"]
    assert found_on_the_web(alice, "zoe m") == ["Müller, Zoë"]
    assert Client.objects.get(pk=lakeside["José"].pk).family_key == "ozturk brown jose"


def test_names_starting_with_an_accented_letter_sort_and_search_with_their_letter(
    alice: User, lakeside: dict[str, Client]
) -> None:
    """Ł among the L's, Ó and Ø among the O's, Ş among the S's: not after Z, as the names'
    bytes would put them; and "luk" finds Łukasik."""
    ctx = Context(user=alice, via="cli")
    for given, family in [
        ("Łucja", "Łukasik"),
        ("Ana", "Lee"),
        ("Maeve", "Ó Briain"),
        ("Søren", "Østergaard"),
        ("Elif", "Şahin"),
        ("Samuel", "Kim"),
        ("Łucja", "Kim"),
    ]:
        actions.create_client(ctx, actions.ClientData(given, family, dt.date(1980, 1, 1)))
    everyone = found_on_the_web(alice, "")
    assert everyone == found_in_the_api(alice, "")
    assert everyone.index("Kim, Łucja") < everyone.index("Kim, Samuel")
    assert everyone.index("Lee, Ana") < everyone.index("Łukasik, Łucja")
    assert everyone.index("Łukasik, Łucja") < everyone.index("Müller, Zoë")
    assert everyone.index("Ó Briain, Maeve") < everyone.index("O'Brien, Siobhán")
    assert everyone.index("Østergaard, Søren") < everyone.index("Öztürk-Brown, José")
    assert everyone.index("Şahin, Elif") < everyone.index("Smith, John")
    assert everyone[-1] == "Straße, Wilhelm"
    assert found_on_the_web(alice, "luk") == ["Łukasik, Łucja"]
    assert found_on_the_web(alice, "oster") == ["Østergaard, Søren"]
    assert name_key("Łukasik Łucja") == "lukasik lucja"


def test_the_migration_writes_the_new_keys_and_the_list_follows_them(
    alice: User, lakeside: dict[str, Client]
) -> None:
    migration = importlib.import_module("myomap.clients.migrations.0009_list_order_by_name_key")
    actions.create_client(
        Context(user=alice, via="cli"), actions.ClientData("Łucja", "Łukasik", dt.date(1980, 1, 1))
    )
    Client.objects.filter(family_name="Łukasik").update(family_key="łukasik łucja")  # the old key
    assert found_on_the_web(alice, "luk") == []
    migration.fill_keys(django_apps, None)
    assert found_on_the_web(alice, "luk") == ["Łukasik, Łucja"]
