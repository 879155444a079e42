"""Where events may go: a receiver on the internet. A URL whose host resolves to a loopback,
private, link-local or otherwise reserved address is refused when it is saved and again at
every attempt (its DNS may change after it was saved), unless
OUTBOUND_ALLOW_PRIVATE_TARGETS says this install means it (tests, on-premise systems)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class TargetRefused(Exception):
    """The URL may not receive events (→ the endpoint is refused, or the attempt fails)."""


class TargetUnresolved(Exception):
    """The URL's host does not resolve now (an attempt is retried)."""


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
        or ip.is_multicast or ip.is_unspecified
    )  # fmt: skip


def target_check(url: str) -> None:
    """Raise unless `url` may receive events now."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("The URL must be http(s) with a host.")
    if settings.OUTBOUND_ALLOW_PRIVATE_TARGETS:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise TargetUnresolved(f"{parts.hostname} does not resolve.") from exc
    if any(_forbidden(str(info[4][0])) for info in found):
        raise TargetRefused(
            f"{parts.hostname} resolves to a loopback, private or link-local address."
        )
