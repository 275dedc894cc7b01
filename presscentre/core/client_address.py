"""The reader's address: the one place the app decides who sent a request.

Behind nginx and Varnish every request reaches the app from the proxy's own address (127.0.0.1), and each proxy
appends the address it was sent the request from to `X-Forwarded-For`. Read from the right, every address inside
`PRESSCENTRE_TRUSTED_PROXIES` is one of our own proxies; the first that is not is the reader. Anything to its
left was written by the reader (or by a proxy we do not run) and proves nothing, so it is never read.

With no trusted proxies (the default) the header is ignored altogether: anyone can send it. A header that
cannot be read (a malformed entry before the reader's address is reached) is ignored too, leaving REMOTE_ADDR.
Login throttling (django-axes), the comment rate limit, the comment record and the journalist access log all
ask here.
"""

import functools
import ipaddress
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def checked_networks(entries: Iterable[str], *, name: str) -> list[str]:
    """Return `entries` if each is an IP address or network (CIDR); for settings, which must refuse a typo."""
    entries = list(entries)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks such as 10.0.0.0/8, not {entry!r}."
            ) from None
    return entries


def client_address(request) -> str:
    """The address of the reader who sent `request` ('' if even REMOTE_ADDR is not an address)."""
    return address_from(request.META)


def axes_client_address(request) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same address, None when there is none."""
    return client_address(request) or None


def address_from(meta: Mapping) -> str:
    """The reader's address from a WSGI environ or `request.META`; see the module docstring for the rule."""
    remote = _parse(meta.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    networks = trusted_networks()
    if not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    for raw in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not raw.strip():
            continue
        hop = _parse(raw)
        if hop is None:
            return str(remote)
        if not _is_trusted(hop, networks):
            return str(hop)
        client = hop
    # Every hop was one of ours (a request from inside the trusted networks): the furthest one sent it.
    return str(client)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.PRESSCENTRE_TRUSTED_PROXIES))


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(value: str) -> Address | None:
    """An address as a header or REMOTE_ADDR writes it, IPv4-mapped IPv6 as plain IPv4; None if it is not one."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)
