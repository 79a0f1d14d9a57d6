"""The client address read through trusted proxies (archive.proxies)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from archive.proxies import client_address, parse_networks


def _address(remote: str, forwarded: str | None = None) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


@pytest.fixture(autouse=True)
def _trusted(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]


def test_without_a_trusted_proxy_the_header_is_ignored() -> None:
    assert _address("192.0.2.5", "198.51.100.7") == "192.0.2.5"


def test_with_nothing_trusted_the_header_is_always_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert _address("10.0.0.1", "198.51.100.7") == "10.0.0.1"


def test_the_rightmost_untrusted_hop_is_the_client() -> None:
    assert _address("10.0.0.1", "198.51.100.7") == "198.51.100.7"
    assert _address("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3") == "198.51.100.7"
    assert _address("::1", "2001:db8::5") == "2001:db8::5"


def test_garbage_in_the_header_stops_at_the_last_good_hop() -> None:
    assert _address("10.0.0.1", "not-an-ip") == "10.0.0.1"
    assert _address("10.0.0.1", "198.51.100.7, junk, 10.2.2.2") == "10.2.2.2"


def test_only_trusted_hops_gives_the_leftmost() -> None:
    assert _address("10.0.0.1", "10.9.9.9, 10.2.2.2") == "10.9.9.9"


def test_no_header_from_a_trusted_proxy_gives_the_proxy() -> None:
    assert _address("10.0.0.1") == "10.0.0.1"


def test_a_malformed_setting_is_named() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"10\.0\.0\.300"):
        parse_networks(["10.0.0.300"])
