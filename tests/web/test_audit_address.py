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
def test_behind_a_declared_proxy_the_first_forwarded_address_is_used():
    proxied = request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 127.0.0.1")
    assert client_address(proxied) == "198.51.100.7"


@override_settings(BEHIND_PROXY=True)
def test_a_value_that_is_not_an_address_is_never_stored():
    garbage = request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="garbage")
    assert client_address(garbage) == "127.0.0.1"
    assert client_address(request(REMOTE_ADDR="not-an-ip")) is None
