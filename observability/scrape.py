"""GET /metrics: Prometheus text format, for a scraper carrying METRICS_TOKEN as a bearer
token or calling from METRICS_ALLOWED_NETWORKS; everyone else is refused (with neither
configured, everyone is). Under gunicorn every process's file is summed; the backlog gauges
are counted in the database at scrape time, so any process answers them alike."""

import hmac
import ipaddress
import os

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector


class BacklogCollector:
    """Where money may be stuck right now (payments/backlog.py), as gauges."""

    def collect(self):
        from holds.selectors import holds_active, holds_lapsed
        from payments import backlog
        from payments.ledger import payments_unaccounted_count
        from payments.rotations import rotations_open

        by_provider = {
            "paycart_payments_needing_attention": (
                "Paid payments flagged for staff and not refunded yet.",
                backlog.payments_needing_attention(),
            ),
            "paycart_payments_stale_pending": (
                "Payments still open after the reconciliation threshold.",
                backlog.payments_stale_pending(),
            ),
        }
        for name, (documentation, payments) in by_provider.items():
            gauge = GaugeMetricFamily(name, documentation, labels=["provider"])
            for provider, count in _count_by(payments, "provider"):
                gauge.add_metric([provider], count)
            yield gauge
        yield GaugeMetricFamily(
            "paycart_payments_unaccounted",
            "Payments whose captured money is not fulfilled, refunded or on its way back "
            "(the audit_payments ledger).",
            value=payments_unaccounted_count(),
        )
        yield GaugeMetricFamily(
            "paycart_holds_active",
            "Stock and slot holds of checkouts under way.",
            value=holds_active().count(),
        )
        yield GaugeMetricFamily(
            "paycart_holds_lapsed_unpaid",
            "Holds whose time ran out before their payment completed, in the last day.",
            value=holds_lapsed().count(),
        )
        yield GaugeMetricFamily(
            "paycart_webhooks_troubled",
            "Webhook deliveries failed, unconfirmed or stopped midway.",
            value=backlog.webhooks_troubled().count(),
        )
        yield GaugeMetricFamily(
            "paycart_refunds_stuck",
            "Refunds refused by the provider or waiting too long.",
            value=backlog.refunds_stuck().count(),
        )
        rotations = GaugeMetricFamily(
            "paycart_secret_rotation_open",
            "A previous secret still set (one series each): seconds since a delivery first "
            "verified with it, 0 while none has.",
            labels=["secret"],
        )
        for rotation in rotations_open():
            rotations.add_metric([rotation.secret], rotation.open_seconds)
        yield rotations


def _count_by(queryset, field: str):
    return queryset.order_by().values_list(field).annotate(count=Count("pk"))


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every gunicorn worker's (and worker's) file
    else:
        registry.register(REGISTRY)  # one process: its own metrics
    registry.register(BacklogCollector())
    return registry


def _from_allowed_network(request) -> bool:
    if not settings.METRICS_ALLOWED_NETWORKS:
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
