"""`myomap admin create` / `admin link`: the first clinic admin of a real installation gets
no password anybody knows, only a one-time link that sets it, and then signs in."""

from __future__ import annotations

import os
import re

import pytest
from django.urls import reverse

from myomap.accounts.models import Clinic, User
from myomap.audit.models import AuditEvent
from myomap.cli.main import main

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "lakeside-tide-2026-north"


@pytest.fixture(autouse=True)
def umask():
    """The command prepares the environment, which tightens the umask: restore it."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


def create(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["admin", "create", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_first_admin_gets_a_one_time_link_that_sets_the_password(client, capsys):
    code, out, err = create(capsys, "carol", "--clinic", "Lakeside", "--url", "http://testserver")
    assert code == 0, err
    assert "Created carol, clinic admin of the new clinic Lakeside." in err
    assert "it works once" in err
    carol = User.objects.get(username="carol")
    assert carol.role == User.Role.ADMIN and carol.clinic == Clinic.objects.get(name="Lakeside")
    assert not carol.has_usable_password() and carol.is_clinic_admin
    event = AuditEvent.objects.get(object_type="User", object_id=str(carol.pk))
    assert (event.action, event.via) == ("create", "cli")
    link = out.strip()
    assert re.fullmatch(r"http://testserver/accounts/reset/[\w-]+/[\w-]+/", link)
    path = link.removeprefix("http://testserver")

    page = client.get(path, follow=True)
    html = page.content.decode()
    assert "Set your password" in html and "carol" in html
    form_url = page.redirect_chain[-1][0]
    assert "set-password" in form_url  # the token is kept in the session, not the URL

    weak = client.post(form_url, {"new_password1": "carol", "new_password2": "carol"})
    assert weak.status_code == 200 and "field-error" in weak.content.decode()
    carol.refresh_from_db()
    assert not carol.has_usable_password()

    done = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Your password is set" in done.content.decode()
    carol.refresh_from_db()
    assert carol.check_password(NEW_PASSWORD)

    signed_in = client.post(
        reverse("login"), {"username": "carol", "password": NEW_PASSWORD}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == reverse("clients:list")
    client.logout()
    again = client.get(path, follow=True).content.decode()
    assert "This link no longer works" in again and "new_password1" not in again


def test_an_admin_joins_an_existing_clinic_by_its_name(people, capsys):
    code, _, err = create(capsys, "gwen", "--clinic", "Lakeside")
    assert code == 0, err
    assert "clinic admin of the clinic Lakeside" in err
    assert User.objects.get(username="gwen").clinic == people.lakeside
    assert Clinic.objects.filter(name="Lakeside").count() == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["carol", "--clinic", "Lakeside"], "a user 'carol' already exists; `myomap admin link"),
        (["new one", "--clinic", "Lakeside"], "username 'new one': Enter a valid username"),
        (["gwen", "--clinic", "  "], "--clinic: the clinic's name is empty"),
    ],
    ids=["a taken username", "a bad username", "no clinic name"],
)
def test_an_admin_that_cannot_be_created_is_a_clear_error(people, capsys, argv, message):
    users = User.objects.count()
    code, out, err = create(capsys, *argv)
    assert code == 2 and out == ""
    assert f"myomap admin: {message}" in err
    assert User.objects.count() == users


def test_a_new_link_replaces_an_expired_one_and_unknown_users_are_refused(carol, client, capsys):
    assert main(["admin", "link", "carol", "--url", "http://testserver/"]) == 0
    path = capsys.readouterr().out.strip().removeprefix("http://testserver")
    assert path.startswith("/accounts/reset/")
    assert "Set your password" in client.get(path, follow=True).content.decode()
    assert main(["admin", "link", "nobody"]) == 1
    assert "no active user 'nobody'" in capsys.readouterr().err
