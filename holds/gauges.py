"""The holds' gauges, counted at every scrape (registered at ready(): config/metrics.py)."""

from prometheus_client.core import GaugeMetricFamily

from .selectors import holds_active, holds_lapsed


class HoldGauges:
    def collect(self):
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
