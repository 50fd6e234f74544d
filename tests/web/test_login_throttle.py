"""The login throttle: the admin's sign-in counts too, addresses behind a declared proxy are
told apart, and parallel attempts cannot get more password checks than the allowance.

alice (therapist at Lakeside) and bob (therapist at Hilltop) are tests/personas.py's; bob
only ever fails to sign in."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.test import override_settings
from django.urls import reverse

from myomap.accounts import throttle
from myomap.accounts.forms import (
    ThrottledAdminAuthenticationForm,
    ThrottledAuthenticationForm,
    ThrottledLoginMixin,
)
from myomap.accounts.models import LoginFailure, User

THROTTLED = "Too many failed sign-ins. For your security, try again in 15 minutes."
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def root(db, password):
    """A superuser for the admin's sign-in: not a persona (none of them is staff)."""
    return User.objects.create_superuser(username="root", email="", password=password)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, url, username, times=1, **extra):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"}, **extra)
        assert response.status_code == 200
        assert not signed_in(client)


# 1. The admin's sign-in page


def test_the_admin_uses_a_throttled_subclass_of_its_own_sign_in_form():
    assert admin.site.login_form is ThrottledAdminAuthenticationForm
    assert issubclass(ThrottledAdminAuthenticationForm, AdminAuthenticationForm)
    assert issubclass(ThrottledAdminAuthenticationForm, ThrottledLoginMixin)
    assert issubclass(ThrottledAuthenticationForm, ThrottledLoginMixin)


def test_the_admin_sign_in_still_lets_staff_in(client, root, password):
    response = client.post(ADMIN_LOGIN, {"username": "root", "password": password})
    assert response.status_code == 302
    assert signed_in(client)


def test_repeated_wrong_passwords_on_the_admin_sign_in_are_throttled(client, root, password):
    fail(client, ADMIN_LOGIN, "root", times=5)
    response = client.post(ADMIN_LOGIN, {"username": "root", "password": password})
    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert not signed_in(client)


def test_failures_on_both_sign_in_pages_count_together(client, root, alice, password):
    fail(client, reverse("login"), "root", times=3)
    fail(client, ADMIN_LOGIN, "root", times=2)
    response = client.post(ADMIN_LOGIN, {"username": "root", "password": password})
    assert THROTTLED in response.content.decode()

    fail(client, ADMIN_LOGIN, "alice", times=5)
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert THROTTLED in response.content.decode()
    assert not signed_in(client)


def test_a_non_staff_user_refused_by_the_admin_counts_as_a_failure(client, alice, password):
    for _ in range(5):
        response = client.post(ADMIN_LOGIN, {"username": "alice", "password": password})
        assert "for a staff account" in response.content.decode()
    assert LoginFailure.objects.filter(username="alice").count() == 5
    response = client.post(ADMIN_LOGIN, {"username": "alice", "password": password})
    assert THROTTLED in response.content.decode()


# 2. The client's address behind a declared proxy


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_declared_proxy_each_forwarded_address_is_counted_apart(client, alice, password):
    for n in range(throttle.MAX_PER_ADDRESS):
        fail(
            client,
            reverse("login"),
            f"guess{n}",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
        )
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {
        f"203.0.113.{n + 1}" for n in range(throttle.MAX_PER_ADDRESS)
    }
    form = {"username": "alice", "password": password}
    client.post(reverse("login"), form, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert signed_in(client)


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_declared_proxy_one_forwarded_address_is_still_throttled(client, alice, password):
    extra = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"}
    for n in range(throttle.MAX_PER_ADDRESS):
        fail(client, reverse("login"), f"guess{n}", **extra)
    form = {"username": "alice", "password": password}
    response = client.post(reverse("login"), form, **extra)
    assert THROTTLED in response.content.decode()
    assert not signed_in(client)


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=["10.0.0.1"])
def test_through_the_proxy_a_guesser_cannot_dodge_the_limit_and_colleagues_get_in(
    client, alice, frank, password
):
    """A guesser writes a new X-Forwarded-For of their own each time; the proxy appends the
    address it really saw. The throttle counts that address, so the guesser is stopped,
    while a colleague at another address behind the same proxy still signs in."""
    for n in range(throttle.MAX_PER_ADDRESS):
        forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"1.2.3.{n}, 203.0.113.66"}
        fail(client, reverse("login"), f"nobody{n}", **forged)
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.66"}
    again = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.250, 203.0.113.66"}
    response = client.post(reverse("login"), {"username": "x", "password": "y"}, **again)
    assert THROTTLED in response.content.decode()
    colleague = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    client.post(reverse("login"), {"username": "frank", "password": password}, **colleague)
    assert signed_in(client)


def test_without_a_declared_proxy_a_forwarded_address_is_not_believed(client, alice, password):
    for n in range(throttle.MAX_PER_ADDRESS):
        fail(client, reverse("login"), f"guess{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"127.0.0.1"}
    form = {"username": "alice", "password": password}
    response = client.post(reverse("login"), form, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert THROTTLED in response.content.decode()


# 3. Parallel attempts, and what clears the count


def test_parallel_attempts_get_no_more_password_checks_than_the_allowance(
    rf, alice, password, monkeypatch
):
    """Each attempt's password check is "slow": while it runs, the next attempt arrives,
    so none of them has written its failure yet when the next one is decided."""
    from django.contrib.auth import forms as auth_forms

    real_authenticate = auth_forms.authenticate
    checks: list[str] = []

    def attempt(secret: str) -> ThrottledAuthenticationForm:
        form = ThrottledAuthenticationForm(
            rf.post("/accounts/login/"), data={"username": "alice", "password": secret}
        )
        form.is_valid()
        return form

    def slow_authenticate(request=None, **credentials):
        checks.append(credentials["password"])
        if len(checks) < 20:
            attempt("wrong")  # a parallel request, arriving during this check
        return real_authenticate(request, **credentials)

    monkeypatch.setattr(auth_forms, "authenticate", slow_authenticate)
    attempt("wrong")
    assert len(checks) == throttle.MAX_PER_ACCOUNT
    assert LoginFailure.objects.filter(username="alice").count() == throttle.MAX_PER_ACCOUNT

    monkeypatch.setattr(auth_forms, "authenticate", real_authenticate)
    form = attempt(password)
    assert not form.is_valid()
    assert form.has_error("__all__", code="throttled")


def test_a_refused_attempt_does_not_prolong_the_wait(client, alice, password):
    fail(client, reverse("login"), "alice", times=5)
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "alice", "password": password})
        assert THROTTLED in response.content.decode()
    assert LoginFailure.objects.filter(username="alice").count() == 5


def test_failures_older_than_the_window_no_longer_count(client, alice, password):
    from django.utils import timezone

    fail(client, reverse("login"), "alice", times=5)
    LoginFailure.objects.update(at=timezone.now() - throttle.WINDOW - throttle.WINDOW / 15)
    client.post(reverse("login"), {"username": "alice", "password": password})
    assert signed_in(client)


def test_a_form_without_a_password_does_not_clear_the_failures(client, alice, password):
    fail(client, reverse("login"), "alice", times=4)
    client.post(reverse("login"), {"username": "alice", "password": ""})
    fail(client, reverse("login"), "alice")
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert THROTTLED in response.content.decode()
    assert not signed_in(client)


def test_a_successful_sign_in_clears_only_that_accounts_failures(client, alice, password):
    fail(client, reverse("login"), "alice", times=4)
    fail(client, reverse("login"), "bob", times=2)
    client.post(reverse("login"), {"username": "alice", "password": password})
    assert signed_in(client)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["bob", "bob"]
