"""The audit log page names what each event is about in words ("account", "recovery
codes"), never a class name, and never the lazy wrapper of the signed-in user
("SimpleLazyObject"); its filters keep working.

The people are tests/personas.py's: carol (Lakeside's clinic admin), alice (a therapist)."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from myomap.accounts.models import User
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.audit.words import in_words

pytestmark = pytest.mark.django_db

LOG = reverse("audit:log")


def signed_in(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def test_an_event_about_the_signed_in_user_is_stored_as_a_user_not_a_lazy_object(
    carol: User,
) -> None:
    browser = signed_in(carol)
    browser.get(LOG)

    [viewed] = AuditEvent.objects.filter(summary="audit log (all clients)")
    assert (viewed.object_type, viewed.object_id) == ("User", str(carol.pk))
    html = browser.get(LOG).content.decode()
    assert f"account {carol.pk} — audit log (all clients)" in html
    assert "SimpleLazyObject" not in html


@pytest.mark.parametrize(
    ("object_type", "words"),
    [
        ("User", "account"),
        ("StaticDevice", "recovery codes"),
        ("TOTPDevice", "authenticator app"),
        ("ApiToken", "API token"),
        ("NoteVersion", "note version"),
        ("PalpationFinding", "palpation finding"),
    ],
)
def test_each_object_type_is_named_in_words(object_type: str, words: str) -> None:
    assert in_words(object_type) == words


def test_the_audit_page_shows_the_words_and_its_action_filter_still_works(
    carol: User, alice: User
) -> None:
    ctx = Context(user=carol)
    token = type("StaticDevice", (), {"pk": 7, "clinic_id": carol.clinic_id})()
    record(ctx, "create", token, summary="made recovery codes")
    record(ctx, "update", alice, summary="renamed alice")

    created = signed_in(carol).get(LOG, {"action": "create"}).content.decode()

    assert "recovery codes 7 — made recovery codes" in created
    assert "renamed alice" not in created
    changed = signed_in(carol).get(LOG, {"action": "update"}).content.decode()
    assert f"account {alice.pk} — renamed alice" in changed
    assert "made recovery codes" not in changed
