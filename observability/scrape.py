"""GET /metrics: Prometheus text format, for a scraper carrying METRICS_TOKEN as a bearer
token or connecting directly (through no proxy) from METRICS_ALLOWED_NETWORKS; everyone
else is refused (with neither configured, everyone is). Under gunicorn every process's file is summed; the gauges the apps
registered (config/metrics.py) are counted in the database at scrape time."""

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from config.metrics import gauges_registered
from config.proxies import came_through_proxy


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every gunicorn worker's (and worker's) file
    else:
        registry.register(REGISTRY)  # one process: its own metrics
    for collector in gauges_registered():
        registry.register(collector)
    return registry


def _from_allowed_network(request) -> bool:
    """A scraper connecting directly from an allowed network. A request that came through a
    proxy needs the token: behind a load balancer every client shares its address."""
    if not settings.METRICS_ALLOWED_NETWORKS or came_through_proxy(request):
        return False
    try:
        # The peer's address, or the client's as a trusted proxy reported it
        # (config.proxies): never what an untrusted caller claims.
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


def _has_token(request) -> bool:
    expected = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Compared as bytes: a header may carry any character, and a str compare refuses those.
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())
    )


@require_safe
def metrics(request):
    if not (_has_token(request) or _from_allowed_network(request)):
        return JsonResponse(
            {"error": "Metrics need the bearer token or an allowed network."}, status=403
        )
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
