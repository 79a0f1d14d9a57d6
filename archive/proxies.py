"""The address a request came from, read through the reverse proxies the operator trusts.

Behind a reverse proxy every request's ``REMOTE_ADDR`` is the proxy's own address; the
client's is in ``X-Forwarded-For``, which the proxy appends to. That header is only evidence
when it was written by a proxy we trust: a client talking to the app directly can put any
address in it. So:

* ``REMOTE_ADDR`` not in ``TRUSTED_PROXIES`` -> ``REMOTE_ADDR`` (the header is ignored);
* otherwise ``X-Forwarded-For`` is read from the right (the hop nearest to us), skipping
  addresses that are themselves trusted proxies; the first one that is not is the client.
  If every entry is trusted, the leftmost is taken; an entry that is not an IP address stops
  the walk and the last good hop is taken (a proxy never writes garbage, a client might).

``TRUSTED_PROXIES`` (environment variable, comma-separated addresses or networks such as
``127.0.0.1,10.0.0.0/8``) is empty by default: nothing is trusted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: Longest textual IPv6 address; longer values are not addresses.
_MAX_ADDRESS = 45


def parse_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """``entries`` (addresses or CIDR networks) as networks; a malformed one is an error that
    names it, so a typo does not silently trust nobody (or everybody)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network."
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _is_trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request: HttpRequest | None) -> str:
    """The client's address as described in the module docstring; ``""`` when unknown."""
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", "")).strip()
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(remote, networks):
        return remote[:_MAX_ADDRESS]
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        if not _valid(hop):
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return client[:_MAX_ADDRESS]
