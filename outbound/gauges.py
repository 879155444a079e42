"""Outbound's gauges, counted at every scrape (registered at ready(): config/metrics.py)."""

from django.urls import reverse
from prometheus_client.core import GaugeMetricFamily

from .selectors import deliveries_failed_recently, deliveries_pending, endpoints_disabled


class OutboundGauges:
    def collect(self):
        yield GaugeMetricFamily(
            "paycart_outbound_deliveries_pending",
            "Event deliveries not delivered yet (being sent or waiting for a retry).",
            value=deliveries_pending().count(),
        )
        yield GaugeMetricFamily(
            "paycart_outbound_deliveries_failed",
            "Event deliveries that failed for good in the last day.",
            value=deliveries_failed_recently().count(),
        )
        yield GaugeMetricFamily(
            "paycart_outbound_endpoints_disabled",
            "Endpoints disabled after failing every attempt for OUTBOUND_DISABLE_AFTER_HOURS.",
            value=endpoints_disabled().count(),
        )


ROWS_SHOWN = 50


def outbound_health() -> dict:
    """The payment-health page's section: endpoints disabled, deliveries failed today."""
    disabled = endpoints_disabled()
    failed = deliveries_failed_recently().select_related("event", "endpoint").order_by("-pk")
    rows = [
        [(endpoint.url, reverse("admin:outbound_endpoint_change", args=[endpoint.pk])),
         ("Endpoint disabled", ""), (endpoint.disabled_reason, "")]
        for endpoint in disabled[:ROWS_SHOWN]
    ] + [
        [(str(delivery.event), reverse("admin:outbound_delivery_change", args=[delivery.pk])),
         (f"Failed at {delivery.endpoint.url}", ""), (delivery.last_error, "")]
        for delivery in failed[:ROWS_SHOWN]
    ]  # fmt: skip
    return {
        "id": "outbound",
        "title": "Events the shop's systems did not get",
        "count": disabled.count() + failed.count(),
        "help": "Endpoints disabled after failing for days (enable them once they answer), "
        "and deliveries that failed in the last day (resend them).",
        "headers": ["What", "Why", "Detail"],
        "rows": rows,
    }
