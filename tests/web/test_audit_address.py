"""The audit log's "from where" cannot be forged with a header."""

from __future__ import annotations

from django.test import RequestFactory, override_settings

from myomap.audit.log import client_address


def request(**meta):
    return RequestFactory().get("/", **meta)


def test_a_forwarded_for_header_is_ignored_unless_behind_a_declared_proxy():
    forged = request(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(forged) == "203.0.113.9"


@override_settings(BEHIND_PROXY=True)
def test_behind_a_declared_proxy_the_address_the_proxy_saw_is_used():
    proxied = request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(proxied) == "198.51.100.7"


@override_settings(BEHIND_PROXY=True)
def test_a_client_cannot_choose_its_address_by_writing_the_header_itself():
    """The client sent "X-Forwarded-For: 10.9.9.9"; the proxy appended what it saw."""
    forged = request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7")
    assert client_address(forged) == "198.51.100.7"


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"])
def test_a_chain_of_trusted_proxies_is_skipped_from_the_right():
    chained = request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.1.2.3")
    assert client_address(chained) == "198.51.100.7"


@override_settings(BEHIND_PROXY=True)
def test_the_header_is_not_believed_from_an_address_that_is_not_the_proxy():
    direct = request(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(direct) == "203.0.113.9"


@override_settings(BEHIND_PROXY=True)
def test_a_value_that_is_not_an_address_is_never_stored():
    garbage = request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="garbage")
    assert client_address(garbage) == "127.0.0.1"
    assert client_address(request(REMOTE_ADDR="not-an-ip")) is None
