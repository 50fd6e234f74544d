"""The clinic's members, the outbox and the API tokens a page at a time: 50 rows a page
with the total, page links that keep the list's order and go to the list's own address,
only the clinic's own rows, the nearest page (and a notice) for a page number that is
not one, and as many queries for a long list as for a short one.

Carol is Lakeside's clinic admin, Alice and Frank its therapists, Dan and Erin its
clients; Bob is Hilltop's therapist (Lakeside never sees his account, mail or tokens).
The extra members, mail and tokens come from the `make_*` helpers below."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from myomap.accounts import outbox
from myomap.accounts.models import Clinic, User
from myomap.api.models import ApiToken

pytestmark = pytest.mark.django_db

MEMBERS = "/accounts/clinic/"


def web(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def pager(html: str) -> str:
    found = re.search(r'<nav class="pager-nav".*?</nav>', html, re.S)
    assert found, "no page links"
    return found.group()


def queries_for(browser: Browser, path: str, query: dict[str, str]) -> tuple[int, str]:
    """The number of queries of a second look at the page (the first does the sign-in's
    bookkeeping), and the page."""
    assert browser.get(path, query).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path, query)
    assert response.status_code == 200
    return len(captured), response.content.decode()


# ----------------------------------------------------------------------------- members
def make_members(clinic: Clinic, count: int, prefix: str = "tess") -> list[User]:
    """`count` therapists of `clinic`, "Tess001 Member" ... (unusable passwords)."""
    return User.objects.bulk_create(
        User(
            username=f"{prefix}{n:03}",
            first_name=f"{prefix.title()}{n:03}",
            last_name="Member",
            role=User.Role.THERAPIST,
            clinic=clinic,
            password="!",
        )
        for n in range(1, count + 1)
    )


def usernames(html: str) -> list[str]:
    """The usernames of the members table, in order."""
    return re.findall(r'<td data-label="Username">([^<\s]+)', html)


def in_list_order(clinic: Clinic) -> list[str]:
    """The clinic's usernames by role, family name, given name and username."""
    people = User.objects.filter(clinic=clinic)
    return [
        u.username
        for u in sorted(people, key=lambda u: (u.role, u.last_name, u.first_name, u.username))
    ]


def test_the_members_page_shows_50_members_a_page_with_the_total(carol: User, bob: User) -> None:
    make_members(carol.clinic, 115)  # and Lakeside's 5 personas: 120
    make_members(bob.clinic, 30, prefix="hill")  # never on Lakeside's pages
    order = in_list_order(carol.clinic)
    assert len(order) == 120

    first = web(carol).get(MEMBERS).content.decode()
    links = pager(first)
    assert "Page 1 of 3 · 120 members" in links
    assert 'aria-label="Pages of the clinic\u2019s members"' in links
    assert f'href="{MEMBERS}?page=2" rel="next"' in links and 'rel="prev"' not in links
    assert usernames(first) == order[:50]
    assert usernames(first)[0] == "carol"

    shown = list(usernames(first))
    for number in (2, 3):
        html = web(carol).get(MEMBERS, {"page": str(number)}).content.decode()
        assert f"Page {number} of 3 · 120 members" in html
        shown += usernames(html)
    assert len(usernames(html)) == 20
    assert f'href="{MEMBERS}?page=2" rel="prev"' in html and 'rel="next"' not in html
    assert shown == order  # every member once, in the list's order
    assert "bob" not in shown and not any(name.startswith("hill") for name in shown)


def test_members_of_the_same_name_are_each_on_one_page(carol: User) -> None:
    """A hundred "Sam Same": the order goes on to the username, then the id."""
    User.objects.bulk_create(
        User(username=f"same{n:03}", first_name="Sam", last_name="Same", clinic=carol.clinic)
        for n in range(100)
    )
    shown = [
        name
        for number in (1, 2, 3)
        for name in usernames(web(carol).get(MEMBERS, {"page": str(number)}).content.decode())
    ]
    assert sorted(shown) == sorted(in_list_order(carol.clinic)) and len(set(shown)) == 105


def test_the_two_factor_status_is_that_of_the_members_shown(carol: User) -> None:
    made = make_members(carol.clinic, 115)
    # tess050 and tess051 (on page 2) have an authenticator app; tess052 one not confirmed.
    for user, confirmed in ((made[49], True), (made[50], True), (made[51], False)):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed)
    html = web(carol).get(MEMBERS, {"page": "2"}).content.decode()
    row = r'data-label="Username">(\w+).*?data-label="Two-factor"><span class="[^"]+">(on|off)'
    status = dict(re.findall(row, html, re.S))
    assert (status["tess050"], status["tess051"], status["tess052"]) == ("on", "on", "off")
    assert sum(1 for value in status.values() if value == "on") == 2


@pytest.mark.parametrize(
    ("typed", "shown", "notice"),
    [
        ("abc", 1, "“abc” is not a page number: showing page 1."),
        ("0", 1, "There is no page 0: showing page 1."),
        ("999", 3, "There is no page 999: showing the last, page 3."),
    ],
)
def test_a_members_page_that_is_not_one_shows_the_nearest_with_a_notice(
    carol: User, typed: str, shown: int, notice: str
) -> None:
    make_members(carol.clinic, 115)
    response = web(carol).get(MEMBERS, {"page": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert notice in html and f"Page {shown} of 3 · 120 members" in html
    assert usernames(html) == in_list_order(carol.clinic)[(shown - 1) * 50 : shown * 50]


def test_the_page_links_after_an_invitation_go_to_the_members_page(carol: User) -> None:
    make_members(carol.clinic, 60)
    answer = web(carol).post(
        "/accounts/clinic/invite/",
        {"username": "hana", "email": "hana@lakeside.example", "role": "therapist"},
    )
    html = answer.content.decode()
    assert "hana is invited" in html
    assert "Page 1 of 2 · 66 members" in html
    assert f'href="{MEMBERS}?page=2" rel="next"' in html


def test_deactivating_a_member_on_page_2_comes_back_to_page_2(carol: User) -> None:
    make_members(carol.clinic, 115)
    browser = web(carol)
    html = browser.get(MEMBERS, {"page": "2"}).content.decode()
    tess = User.objects.get(username="tess060")
    form = f'action="/accounts/clinic/{tess.pk}/deactivate/"'
    assert form in html and 'name="page" value="2"' in html

    answer = browser.post(f"/accounts/clinic/{tess.pk}/deactivate/", {"page": "2"}, follow=True)

    assert answer.redirect_chain == [(f"{MEMBERS}?page=2", 302)]
    html = answer.content.decode()
    assert "tess060 is deactivated and cannot sign in." in html
    assert "Page 2 of 3 · 120 members" in html
    row = re.search(r'"Username">tess060</td>.*?</tr>', html, re.S)
    assert row and "deactivated" in row.group() and "Reactivate" in row.group()
    assert not User.objects.get(pk=tess.pk).is_active


def test_the_members_pages_query_count_is_the_same_for_10_members_and_120(carol: User) -> None:
    browser = web(carol)
    made = make_members(carol.clinic, 5)
    TOTPDevice.objects.create(user=made[0], name="phone", confirmed=True)
    small, html = queries_for(browser, MEMBERS, {})
    assert "Page 1 of 1 · 10 members" in html
    made = make_members(carol.clinic, 110, prefix="more")
    for user in made[:40]:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    for query in ({}, {"page": "2"}):
        large, html = queries_for(browser, MEMBERS, query)
        assert "of 3 · 120 members" in html
        assert large == small


# ----------------------------------------------------------------------------- the outbox
OUTBOX = "/accounts/outbox/"


def make_mail(clinic: Clinic, to: str, count: int, *, apart: bool = True) -> None:
    """`count` messages to `to` stamped for `clinic`, "Mail 000" the newest (a minute
    apart; or all in the same second)."""
    now = timezone.now()
    for n in range(count):
        with time_machine.travel(now - dt.timedelta(minutes=n if apart else 0), tick=False):
            EmailMessage(
                f"Mail {n:03}", f"Body of mail {n:03}", None, [to], headers=outbox.stamp(clinic.pk)
            ).send()


def subjects(html: str) -> list[str]:
    return re.findall(r"<h2>(Mail \d{3})</h2>", html)


@pytest.fixture
def addresses(alice: User, bob: User) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@lakeside.example")
    User.objects.filter(pk=bob.pk).update(email="bob@hilltop.example")


@pytest.mark.usefixtures("addresses")
def test_the_outbox_shows_50_messages_a_page_newest_first_with_the_total(
    carol: User, alice: User, bob: User, mail_folder: Path
) -> None:
    make_mail(carol.clinic, "alice@lakeside.example", 120)
    make_mail(bob.clinic, "bob@hilltop.example", 7)  # Hilltop's: never in Lakeside's outbox

    first = web(carol).get(OUTBOX).content.decode()
    links = pager(first)
    assert "Page 1 of 3 · 120 messages" in links
    assert 'aria-label="Pages of the outbox, newest first"' in links
    assert 'href="?page=2" rel="next">Older' in links and 'rel="prev"' not in links
    assert subjects(first) == [f"Mail {n:03}" for n in range(50)]
    assert "Body of mail 000" in first and "Body of mail 049" in first
    assert "Body of mail 050" not in first

    last = web(carol).get(OUTBOX, {"page": "3"}).content.decode()
    assert "Page 3 of 3 · 120 messages" in last
    assert subjects(last) == [f"Mail {n:03}" for n in range(100, 120)]
    assert 'href="?page=2" rel="prev">Newer' in last and 'rel="next"' not in last
    assert "bob@hilltop.example" not in first + last


@pytest.mark.usefixtures("addresses")
def test_mail_sent_in_the_same_second_is_each_on_one_page(carol: User, mail_folder: Path) -> None:
    make_mail(carol.clinic, "alice@lakeside.example", 60, apart=False)
    browser = web(carol)
    pages = [subjects(browser.get(OUTBOX, {"page": n}).content.decode()) for n in ("1", "2")]
    assert [len(shown) for shown in pages] == [50, 10]
    assert sorted(pages[0] + pages[1]) == [f"Mail {n:03}" for n in range(60)]
    assert pages == [  # the same order on a second look
        subjects(browser.get(OUTBOX, {"page": n}).content.decode()) for n in ("1", "2")
    ]


@pytest.mark.usefixtures("addresses")
@pytest.mark.parametrize(
    ("typed", "shown", "notice"),
    [
        ("abc", 1, "“abc” is not a page number: showing page 1."),
        ("0", 1, "There is no page 0: showing page 1."),
        ("999", 3, "There is no page 999: showing the last, page 3."),
    ],
)
def test_an_outbox_page_that_is_not_one_shows_the_nearest_with_a_notice(
    carol: User, mail_folder: Path, typed: str, shown: int, notice: str
) -> None:
    make_mail(carol.clinic, "alice@lakeside.example", 120)
    html = web(carol).get(OUTBOX, {"page": typed}).content.decode()
    assert notice in html and f"Page {shown} of 3 · 120 messages" in html
    assert subjects(html)[0] == f"Mail {(shown - 1) * 50:03}"


@pytest.mark.usefixtures("addresses")
def test_an_empty_outbox_says_so_on_any_page(carol: User, mail_folder: Path) -> None:
    html = web(carol).get(OUTBOX, {"page": "4"}).content.decode()
    assert "No mail to your clinic\u2019s members in the last 7 days." in html
    assert "There is no page 4: showing the last, page 1." in html


@pytest.mark.usefixtures("addresses")
def test_the_outbox_query_count_is_the_same_for_10_messages_and_120(
    carol: User, mail_folder: Path
) -> None:
    browser = web(carol)
    make_mail(carol.clinic, "alice@lakeside.example", 10)
    small, html = queries_for(browser, OUTBOX, {})
    assert "Page 1 of 1 · 10 messages" in html
    make_mail(carol.clinic, "alice@lakeside.example", 110)
    for query in ({}, {"page": "3"}):
        large, html = queries_for(browser, OUTBOX, query)
        assert "of 3 · 120 messages" in html
        assert large == small


# ----------------------------------------------------------------------------- API tokens
TOKENS = "/accounts/tokens/"


def make_tokens(user: User, count: int, prefix: str = "tok") -> None:
    """`count` tokens of `user`, "tok000" the newest (a minute apart); every third revoked."""
    now = timezone.now()
    ApiToken.objects.bulk_create(
        ApiToken(
            user=user,
            name=f"{prefix}{n:03}",
            key_hash=f"{user.username}-{prefix}-{n}",
            created_at=now - dt.timedelta(minutes=n),
            expires_at=now + dt.timedelta(days=30),
            revoked_at=now if n % 3 == 2 else None,
        )
        for n in range(count)
    )


def token_names(html: str) -> list[str]:
    return re.findall(r'<td data-label="Name"><span>([^<]+?) <span class="muted">#', html)


def test_the_tokens_page_shows_50_tokens_a_page_with_the_total(alice: User, bob: User) -> None:
    make_tokens(alice, 120)
    make_tokens(bob, 7, prefix="bobs")  # never on Alice's page
    first = web(alice).get(TOKENS).content.decode()
    links = pager(first)
    assert "Page 1 of 3 · 120 tokens" in links
    assert 'aria-label="Pages of the tokens"' in links
    assert f'href="{TOKENS}?page=2" rel="next"' in links and 'rel="prev"' not in links
    assert token_names(first) == [f"tok{n:03}" for n in range(50)]

    last = web(alice).get(TOKENS, {"page": "3"}).content.decode()
    assert "Page 3 of 3 · 120 tokens" in last
    assert token_names(last) == [f"tok{n:03}" for n in range(100, 120)]
    assert f'href="{TOKENS}?page=2" rel="prev"' in last and 'rel="next"' not in last
    assert "bobs" not in first + last


def test_a_clinic_admin_pages_through_the_clinics_tokens_person_by_person(
    carol: User, alice: User, frank: User, bob: User
) -> None:
    make_tokens(alice, 60)
    make_tokens(frank, 60)
    make_tokens(bob, 30, prefix="bobs")
    pages = [web(carol).get(TOKENS, {"page": n}).content.decode() for n in ("1", "2", "3")]
    assert "Page 2 of 3 · 120 tokens" in pages[1]
    shown = [name for html in pages for name in token_names(html)]
    assert shown == [f"tok{n:03}" for n in range(60)] * 2  # alice's, then frank's
    assert "Alice Moss" in pages[0] and "Frank Orr" in pages[2]
    assert not any("bobs" in html or "Bob Tarn" in html for html in pages)


def test_the_state_shown_is_each_tokens_own(alice: User) -> None:
    make_tokens(alice, 60)
    html = web(alice).get(TOKENS, {"page": "2"}).content.decode()
    row = r'<span>(tok\d{3}) <span class="muted">#.*?"State"><span><span class="[^"]+">(\w+)'
    rows = re.findall(row, html, re.S)
    assert rows[:3] == [("tok050", "revoked"), ("tok051", "active"), ("tok052", "active")]
    assert len(rows) == 10 and [state for _, state in rows].count("revoked") == 4
    assert html.count("Revoke</button>") == 6  # tok051 to tok059 but the revoked 053, 056, 059


@pytest.mark.parametrize(
    ("typed", "shown", "notice"),
    [
        ("abc", 1, "“abc” is not a page number: showing page 1."),
        ("0", 1, "There is no page 0: showing page 1."),
        ("999", 3, "There is no page 999: showing the last, page 3."),
    ],
)
def test_a_tokens_page_that_is_not_one_shows_the_nearest_with_a_notice(
    alice: User, typed: str, shown: int, notice: str
) -> None:
    make_tokens(alice, 120)
    html = web(alice).get(TOKENS, {"page": typed}).content.decode()
    assert notice in html and f"Page {shown} of 3 · 120 tokens" in html
    assert token_names(html)[0] == f"tok{(shown - 1) * 50:03}"


def test_no_tokens_says_so_on_any_page(alice: User) -> None:
    html = web(alice).get(TOKENS, {"page": "2"}).content.decode()
    assert "No tokens yet." in html
    assert "There is no page 2: showing the last, page 1." in html


def test_the_page_links_after_a_new_token_go_to_the_tokens_page(alice: User) -> None:
    make_tokens(alice, 60)
    answer = web(alice).post(f"{TOKENS}new/", {"name": "export script", "days": "30"})
    html = answer.content.decode()
    assert 'id="new-key"' in html and "Page 1 of 2 · 61 tokens" in html
    assert f'href="{TOKENS}?page=2" rel="next"' in html


def test_revoking_a_token_on_page_2_comes_back_to_page_2(alice: User) -> None:
    make_tokens(alice, 120)
    token = ApiToken.objects.get(user=alice, name="tok070")
    browser = web(alice)
    html = browser.get(TOKENS, {"page": "2"}).content.decode()
    assert f'action="{TOKENS}{token.pk}/revoke/"' in html and 'name="page" value="2"' in html

    answer = browser.post(f"{TOKENS}{token.pk}/revoke/", {"page": "2"}, follow=True)

    assert answer.redirect_chain == [(f"{TOKENS}?page=2", 302)]
    html = answer.content.decode()
    assert f"Token {token.pk} &#x27;tok070&#x27; of alice revoked." in html
    assert "Page 2 of 3 · 120 tokens" in html
    row = re.search(r"<span>tok070 <span.*?</tr>", html, re.S)
    assert row and "revoked" in row.group() and "Revoke</button>" not in row.group()


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_the_tokens_pages_query_count_is_the_same_for_10_tokens_and_120(
    alice: User, frank: User, carol: User, who: str
) -> None:
    """Alice sees her own tokens; Carol those of Alice and Frank."""
    browser = web(alice if who == "alice" else carol)
    owners = [alice] if who == "alice" else [alice, frank]
    for owner in owners:
        make_tokens(owner, 10 // len(owners))
    small, html = queries_for(browser, TOKENS, {})
    assert "Page 1 of 1 · 10 tokens" in html
    for owner in owners:
        make_tokens(owner, 110 // len(owners), prefix="more")
    for query in ({}, {"page": "3"}):
        large, html = queries_for(browser, TOKENS, query)
        assert "of 3 · 120 tokens" in html
        assert large == small


def test_removing_a_members_two_factor_on_page_2_comes_back_to_page_2(carol: User) -> None:
    made = make_members(carol.clinic, 115)
    TOTPDevice.objects.create(user=made[55], name="phone", confirmed=True)
    browser = web(carol)
    html = browser.get(MEMBERS, {"page": "2"}).content.decode()
    action = re.search(rf'action="([^"]*/{made[55].pk}/[^"]*)"[^>]*data-confirm="Remove', html)
    assert action is not None and 'name="page" value="2"' in html
    answer = browser.post(action.group(1), {"page": "2"}, follow=True)
    assert answer.redirect_chain == [(f"{MEMBERS}?page=2", 302)]
    assert f"Two-factor sign-in is off for {made[55].username}" in answer.content.decode()
    assert not TOTPDevice.objects.filter(user=made[55], confirmed=True).exists()
