"""Where events may go: a receiver on the internet. The URL is parsed once, by the parser that
makes the connection (urllib3's), and refused where another parser would read it otherwise
(user information, backslashes, whitespace or control characters); its host is resolved
once per attempt and every address it resolves to must be global (`ipaddress.is_global`,
also through IPv4-mapped, 6to4, Teredo and NAT64 addresses), so loopback, private,
link-local, shared (100.64/10), documentation and benchmarking ranges are refused. The
request then goes to the very address that was checked (`Pinned.url` names it; the Host
header, and for https the SNI and the certificate's name, are the URL's host): a second
resolution cannot send it elsewhere. OUTBOUND_ALLOW_PRIVATE_TARGETS lets an install that
means it (tests, on-premise systems) send to non-global addresses, still pinned."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetRefused(Exception):
    """The URL may not receive events (→ the endpoint is refused, or the attempt fails)."""


class TargetUnresolved(Exception):
    """The URL's host does not resolve now (an attempt is retried)."""


@dataclass(frozen=True)
class Pinned:
    """An attempt's target: `url` names the address that was checked, `host` is the Host
    header (and the TLS name) the receiver expects."""

    url: str
    host: str


def _embedded(ip: IPAddress) -> list[IPAddress]:
    """The address and any IPv4 address it carries (mapped, 6to4, Teredo, NAT64)."""
    found: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour:
            found.append(ip.sixtofour)
        if ip.teredo:
            found += list(ip.teredo)
        if ip in NAT64:
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _global(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return all(inner.is_global and not inner.is_multicast for inner in _embedded(ip))


def target_parsed(url: str):
    """The URL as the connection will read it, or TargetRefused."""
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\x7f" or ch == "\\" for ch in url):
        raise TargetRefused("The URL holds whitespace, a control character or a backslash.")
    try:
        parsed = parse_url(url)
        split = urlsplit(url)
        split_port = split.port
    except (LocationParseError, ValueError) as exc:
        raise TargetRefused("The URL cannot be read.") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise TargetRefused("The URL must be http(s) with a host.")
    if parsed.auth or "@" in (split.netloc or ""):
        raise TargetRefused("The URL must not carry a user name or password.")
    host = parsed.host.strip("[]").lower()
    if host != (split.hostname or "").lower() or parsed.port != split_port:
        raise TargetRefused("The URL reads differently to different parsers.")
    return parsed


def target_pin(url: str) -> Pinned:
    """Resolve `url`'s host once and answer where to connect; raise unless it may receive
    events now."""
    parsed = target_parsed(url)
    host = parsed.host.strip("[]")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise TargetUnresolved(f"{host} does not resolve.") from exc
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise TargetUnresolved(f"{host} does not resolve.")
    if not settings.OUTBOUND_ALLOW_PRIVATE_TARGETS and not all(map(_global, addresses)):
        raise TargetRefused(f"{host} resolves to an address that is not on the internet.")
    address = addresses[0].split("%", 1)[0]
    literal = f"[{address}]" if ":" in address else address
    where = parsed._replace(host=literal, port=port, auth=None)
    default = port == (443 if parsed.scheme == "https" else 80)
    return Pinned(url=where.url, host=parsed.host if default else f"{parsed.host}:{port}")


class PinnedAdapter(HTTPAdapter):
    """Requests to a pinned URL: the connection goes to the address in the URL, while TLS
    sends SNI for, and checks the certificate against, the name in the Host header."""

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        if host_params["scheme"] == "https":
            name = (parse_url(f"//{request.headers['Host']}").host or "").strip("[]")
            pool_kwargs |= {"server_hostname": name, "assert_hostname": name}
        return host_params, pool_kwargs
