"""The payments' Prometheus metrics: status changes, fulfilment, webhooks and provider calls
(recorded by payments/observe.py and gateways/observed.py)."""

from prometheus_client import Counter, Histogram

from config.metrics import LATENCY_BUCKETS

PAYMENTS = Counter(
    "paycart_payments",
    "Payment status changes by provider and the status reached (INITIATED: created).",
    ["provider", "status"],
)
REFUNDS = Counter(
    "paycart_refunds",
    "Refund status changes by provider and the status reached (REQUESTED: owed).",
    ["provider", "status"],
)
FULFILMENT_SECONDS = Histogram(
    "paycart_fulfilment_seconds",
    "Time to turn a paid payment into its order and bookings, by outcome "
    "(fulfilled, needs_attention, already_done).",
    ["provider", "outcome"],
    buckets=LATENCY_BUCKETS,
)
WEBHOOK_DELIVERIES = Counter(
    "paycart_webhook_deliveries",
    "Webhook deliveries by provider and outcome.",
    ["provider", "outcome"],
)
PROVIDER_CALL_SECONDS = Histogram(
    "paycart_provider_call_seconds",
    "Calls to a provider's API by provider, action and outcome (ok or the error type).",
    ["provider", "action", "outcome"],
    buckets=LATENCY_BUCKETS,
)
PROVIDER_CALL_ERRORS = Counter(
    "paycart_provider_call_errors",
    "Failed calls to a provider's API by provider, action and error type.",
    ["provider", "action", "error"],
)
