"""Outbound's counters (its gauges are counted at scrape time: gauges.py)."""

from prometheus_client import Counter

OUTBOUND_ATTEMPTS = Counter(
    "paycart_outbound_attempts_total", "Attempts to deliver an event, by outcome.", ["outcome"]
)
