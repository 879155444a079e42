"""What the payments services tell logs and metrics, in one place: one structured line and
one counter per payment or refund state change, fulfilment timing, and webhook outcomes.
Only ids, statuses, amounts and reasons are written: never addresses, tokens or bodies."""

import time
from contextlib import contextmanager

import structlog
from django.db import transaction

from .metrics import FULFILMENT_SECONDS, PAYMENTS, REFUNDS, WEBHOOK_DELIVERIES

log = structlog.get_logger("paycart.payments")


def payment_fields(payment) -> dict:
    return {
        "payment_id": str(payment.pk),
        "user_id": payment.user_id,
        "provider": payment.provider,
        "provider_order_id": payment.provider_order_id or None,
        "provider_payment_id": payment.provider_payment_id or None,
        "amount": str(payment.amount),
        "currency": payment.currency,
    }


def payment_created(payment) -> None:
    PAYMENTS.labels(payment.provider, payment.status).inc()
    log.info("payment_created", **payment_fields(payment), status=payment.status)


def payment_status_changed(payment, *, from_status: str, reason: str) -> None:
    """Reported once the change commits: one rolled back never appears."""
    provider, status = payment.provider, payment.status
    report = log.warning if payment.needs_attention else log.info
    fields = payment_fields(payment) | {
        "from_status": from_status,
        "status": status,
        "needs_attention": payment.needs_attention,
        "reason": reason,
    }

    def emit() -> None:
        PAYMENTS.labels(provider, status).inc()
        report("payment_status_changed", **fields)

    transaction.on_commit(emit)


def fulfilment_finished(payment, *, outcome: str, seconds: float) -> None:
    FULFILMENT_SECONDS.labels(payment.provider, outcome).observe(seconds)
    log.info(
        "payment_fulfilment",
        **payment_fields(payment),
        outcome=outcome,
        order_id=payment.order_id,
        duration_ms=round(seconds * 1000, 1),
    )


def refund_changed(refund, *, event: str, provider: str, **fields) -> None:
    REFUNDS.labels(provider, refund.status).inc()
    (log.warning if refund.status == "FAILED" else log.info)(
        event,
        refund_id=str(refund.pk),
        payment_id=str(refund.payment_id),
        provider=provider,
        provider_payment_id=refund.provider_payment_id or None,
        provider_refund_id=refund.provider_refund_id or None,
        amount=str(refund.amount),
        currency=refund.currency,
        status=refund.status,
        automatic=refund.automatic,
        **fields,
    )


@contextmanager
def webhook_delivery(provider: str):
    """Times one delivery and logs its outcome once: the block sets outcome["value"];
    an exception escaping it (a refusal answered 4xx or 503) records `refused`."""
    outcome = {"value": "refused"}
    started = time.perf_counter()
    # Bound here so what the delivery learns (event and payment ids) ends with it.
    ids = {"event_id": None, "event_type": None, "payment_id": None}
    with structlog.contextvars.bound_contextvars(provider=provider, **ids):
        try:
            yield outcome
        finally:
            WEBHOOK_DELIVERIES.labels(provider, outcome["value"]).inc()
            log.info(
                "webhook_delivery",
                outcome=outcome["value"],
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
