"""Whose word about the client is believed. Only a load balancer named in TRUSTED_PROXY_IPS
may say, in X-Forwarded-For and X-Forwarded-Proto, which client it saw and over which
scheme; from any other peer those headers are dropped before anything reads them. So the
throttles, the metrics allowlist, the logs and the HTTPS redirect all read one client
address, REMOTE_ADDR, which no caller can choose."""

import functools
import ipaddress

from django.conf import settings

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")
# Any of these says a proxy stands between the client and us (believed or not).
PROXY_SIGNS = (*FORWARDED_HEADERS, "HTTP_FORWARDED", "HTTP_X_REAL_IP", "HTTP_VIA")
# Set on every request: whether it came through a proxy (a trusted one, or any peer that
# sent a forwarding header). What only a direct caller may do (scrape /metrics without the
# token) reads it.
THROUGH_PROXY = "paycart.through_proxy"


def came_through_proxy(request) -> bool:
    return request.META.get(THROUGH_PROXY, True)


def parse_networks(entries: list[str]) -> list:
    """The networks named (a bare address is a network of one); ValueError names a bad one."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]


@functools.lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple:
    return tuple(parse_networks(list(entries)))


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """First in the chain. From a trusted proxy, REMOTE_ADDR becomes the client it reports:
    walking X-Forwarded-For from its end past trusted proxies (at most TRUSTED_PROXY_COUNT
    hops when set), the first other address. From anyone else, the headers are ignored."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _is_trusted(address) -> bool:
        networks = _trusted(tuple(settings.TRUSTED_PROXY_IPS))
        return address is not None and any(address in network for network in networks)

    def _client(self, forwarded_for: str):
        max_hops = settings.TRUSTED_PROXY_COUNT or None
        hops = [_address(part) for part in forwarded_for.split(",")][::-1]
        for hop_count, hop in enumerate(hops, start=1):
            if hop is None:
                return None  # a malformed chain names nobody: keep the proxy's own address
            if not self._is_trusted(hop) or (max_hops is not None and hop_count >= max_hops):
                return hop
        return None

    def __call__(self, request):
        meta = request.META
        trusted = self._is_trusted(_address(meta.get("REMOTE_ADDR", "")))
        meta[THROUGH_PROXY] = trusted or any(sign in meta for sign in PROXY_SIGNS)
        if trusted:
            client = self._client(meta.get("HTTP_X_FORWARDED_FOR", "")[:2000])
            if client is not None:
                meta["REMOTE_ADDR"] = str(client)
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)
