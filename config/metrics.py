"""What every app's metrics share: the latency buckets, and the gauges counted from the
database when /metrics is scraped. An app registers its own gauge collector at ready()
(payments/gauges.py, holds/gauges.py); observability/scrape.py asks each of them, so it
imports no app and any process answers alike."""

from collections.abc import Iterable
from typing import Protocol

from prometheus_client.metrics_core import Metric

# Payments move fast except around providers: buckets from 5 ms to 30 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class GaugeCollector(Protocol):
    def collect(self) -> Iterable[Metric]: ...


_gauges: dict[str, GaugeCollector] = {}


def gauges_register(name: str, collector: GaugeCollector) -> None:
    """Count `collector`'s gauges at every scrape (by name: registering again replaces)."""
    _gauges[name] = collector


def gauges_registered() -> list[GaugeCollector]:
    return list(_gauges.values())
