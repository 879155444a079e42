"""Every refund is sent and recorded here. A refund is a row first, decided by
money_back.py within what may still go back (our id is the provider's idempotency key),
sent by a task after the transaction that made it commits, never while a lock is held; the
provider's answer, its refund webhooks and reconciliation move it on. Locks: the payment
first, then the refund, as everywhere money goes back."""

import uuid
from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..events import refund_event
from ..gateways.base import ProviderError, ProviderUnavailable, RefundResult, RefundState
from ..gateways.registry import get_provider
from ..models import Payment, Refund, RefundStatus
from ..money import to_minor
from ..observe import refund_changed
from .batch import run_isolated
from .money_back import dispute_open_for, refund_processed

# A worker that died mid-call leaves its claim; after this long another may ask again
# (with the same idempotency key, so the provider refunds once).
SEND_CLAIM_TIMEOUT = timedelta(minutes=10)
# A refund still REQUESTED after this long is asked about (and shown to staff as stuck).
REFUND_RECHECK_AFTER = timedelta(minutes=5)
STATES = {
    RefundState.PENDING: RefundStatus.REQUESTED,
    RefundState.PROCESSED: RefundStatus.PROCESSED,
    RefundState.FAILED: RefundStatus.FAILED,
}
REFUND_EVENTS = {RefundStatus.PROCESSED: "refund.processed", RefundStatus.FAILED: "refund.failed"}


def _lock_payment_of(refund_id) -> Payment | None:
    return Payment.objects.select_for_update(of=("self",)).filter(refunds=refund_id).first()


def _claim(refund_id) -> bool:
    """Exactly one sender at a time, and none while a dispute of the payment is open (the
    bank may return this money itself: the refund waits, and is reduced by what a lost
    dispute took). Under the payment's lock, the one disputes take, a conditional UPDATE
    only one caller can win."""
    now = timezone.now()
    with transaction.atomic():
        payment = _lock_payment_of(refund_id)
        if payment is None or dispute_open_for(payment):
            return False
        return bool(
            Refund.objects.filter(
                pk=refund_id, status=RefundStatus.REQUESTED, provider_refund_id=""
            )
            .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - SEND_CLAIM_TIMEOUT))
            .update(sending_since=now, attempts=F("attempts") + 1)
        )


def refund_send(*, refund_id) -> Refund:
    """Ask the provider for the refund (no lock held). ProviderUnavailable propagates so the
    task retries later with the same idempotency key; a refusal (a revoked key included)
    fails the refund, visibly, for staff to retry or give up."""
    if not _claim(refund_id):
        # Sent already, being sent, settled, or waiting for a dispute to end.
        return Refund.objects.get(pk=refund_id)
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    payment = refund.payment
    try:
        result = get_provider(payment.provider).refund(
            reference=str(refund.pk),
            provider_order_id=payment.provider_order_id or "",
            provider_payment_id=refund.provider_payment_id,
            amount=to_minor(refund.amount),
            currency=refund.currency,
        )
    except ProviderUnavailable as exc:
        Refund.objects.filter(pk=refund.pk).update(sending_since=None, last_error=str(exc)[:255])
        raise
    except ProviderError as exc:
        result = RefundResult(state=RefundState.FAILED, reason=str(exc))
    return refund_record(refund_id=refund.pk, result=result)


def refund_record(*, refund_id, result: RefundResult) -> Refund:
    """Apply what the provider says of a refund (its answer, a webhook, a status check).
    PROCESSED is final. A failed attempt that was retried or given up (one a lost dispute
    made unnecessary included) stays as it is unless the provider says it made the refund
    after all: then it is recorded as the provider says, and the ledger names any money
    that went back twice."""
    with transaction.atomic():
        _lock_payment_of(refund_id)
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment")
            .get(pk=refund_id)
        )
        settled = refund.given_up_at is not None or Refund.objects.filter(retry_of=refund).exists()
        if refund.status == RefundStatus.PROCESSED or (
            settled and result.state == RefundState.FAILED
        ):
            return refund
        status_before = refund.status
        refund.status = STATES[result.state]
        refund.provider_refund_id = result.provider_refund_id or refund.provider_refund_id
        refund.sending_since = None
        # An earlier outage is no longer the refund's story once the provider answered.
        refund.last_error = (
            (result.reason or "The provider refused the refund.")[:255]
            if result.state == RefundState.FAILED
            else ""
        )
        if refund.status != RefundStatus.FAILED:
            refund.given_up_at, refund.given_up_by, refund.given_up_reason = None, None, ""
            refund.superseded_by = None
        refund.save()
        if refund.status != status_before or result.state == RefundState.FAILED:
            refund_changed(
                refund,
                event="refund_status_changed",
                provider=refund.payment.provider,
                from_status=status_before,
                error=refund.last_error or None,
            )
        if refund.status != status_before and refund.status in REFUND_EVENTS:
            refund_event(refund, REFUND_EVENTS[refund.status])
        if refund.status == RefundStatus.PROCESSED:
            refund_processed(refund)
    return refund


def refund_named_by(*, provider_name: str, result: RefundResult) -> Refund | None:
    """Our refund that a provider's refund notice is about, if any."""
    return (
        Refund.objects.filter(payment__provider=provider_name)
        .filter(
            Q(provider_refund_id=result.provider_refund_id, provider_refund_id__gt="")
            | Q(pk__in=[result.reference] if is_uuid(result.reference) else [])
        )
        .first()
    )


def refunds_awaiting_news(*, provider_name: str, provider_payment_id: str) -> QuerySet[Refund]:
    """Our refunds of one provider payment the provider has accepted but not settled: what
    a notice that names only the payment ("its money was refunded") may be about."""
    return (
        Refund.objects.filter(
            payment__provider=provider_name,
            provider_payment_id=provider_payment_id,
            status=RefundStatus.REQUESTED,
        )
        .exclude(provider_refund_id="")
        .select_related("payment")
    )


def refund_check_with_provider(refund: Refund) -> Refund:
    """Ask the provider how a refund it accepted stands, and record the answer."""
    result = get_provider(refund.payment.provider).fetch_refund(
        reference=str(refund.pk), provider_refund_id=refund.provider_refund_id
    )
    return refund_record(refund_id=refund.pk, result=result)


def _reconcile_refund(refund: Refund) -> str:
    if not refund.provider_refund_id:
        refund_send(refund_id=refund.pk)  # never reached the provider: send it (same key)
        return "resent"
    return refund_check_with_provider(refund).status.lower()


def refunds_reconcile(*, older_than: timedelta = REFUND_RECHECK_AFTER) -> Counter:
    """Refunds still REQUESTED after a few minutes: send those never sent, ask about the
    others."""
    stale = Refund.objects.filter(
        status=RefundStatus.REQUESTED, created_at__lte=timezone.now() - older_than
    ).select_related("payment")
    return run_isolated(stale.iterator(), _reconcile_refund, what="Checking refund")


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True
