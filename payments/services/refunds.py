"""Every refund goes through here: automatic ones for money that arrived but cannot be used,
and staff ones from admin. A refund is a row first (our id is the provider's idempotency
key), sent by a task after the transaction that made it commits, never while a lock is
held; the provider's answer, its refund webhooks and reconciliation move it on."""

import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from config.tasks import enqueue_on_commit

from ..models import Payment, PaymentStatus, Refund, RefundStatus
from ..money import to_minor
from ..observe import refund_changed
from ..providers.base import ProviderError, ProviderUnavailable, RefundResult, RefundState
from ..providers.registry import get_provider
from .batch import run_isolated
from .transitions import payment_track

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


def _enqueue(refund: Refund) -> None:
    from ..tasks import send_refund  # tasks import services; services enqueue tasks

    enqueue_on_commit(send_refund, str(refund.pk))


def refund_owed(
    *, payment: Payment, provider_payment_id: str, amount: Decimal, currency: str, reason: str
) -> Refund:
    """Money arrived that we cannot keep: one automatic full refund per provider payment,
    however often this is called. Runs inside the caller's transaction."""
    refund, created = Refund.objects.get_or_create(
        payment=payment,
        provider_payment_id=provider_payment_id,
        automatic=True,
        defaults={"amount": amount, "currency": currency, "reason": reason[:255]},
    )
    if created:
        refund_changed(refund, event="refund_requested", provider=payment.provider, reason=reason)
        _enqueue(refund)
    return refund


class RefundRefused(ValueError):
    """A staff refund that cannot be made (more than is left, nothing paid)."""


def refundable_left(payment: Payment) -> Decimal:
    """What of the payment's own money has not been refunded (or asked back) yet."""
    asked = payment.refunds.exclude(status=RefundStatus.FAILED).filter(
        provider_payment_id=payment.provider_payment_id
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return payment.amount - asked


def refund_by_staff(*, payment: Payment, amount: Decimal, reason: str, staff) -> Refund:
    """A staff refund of `amount` (at most what is left of the payment). Runs inside the
    caller's transaction, which holds the payment's row lock."""
    left = refundable_left(payment)
    if amount <= 0 or amount > left:
        raise RefundRefused(f"A refund of {amount} is more than the {left} left to refund.")
    refund = Refund.objects.create(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount=amount,
        currency=payment.currency,
        reason=reason[:255],
        automatic=False,
        requested_by=staff,
    )
    refund_changed(refund, event="refund_requested", provider=payment.provider, staff_id=staff.pk)
    _enqueue(refund)
    return refund


def refund_retry(*, refund_id) -> bool:
    """Staff retry of a failed refund: the same row, the same idempotency key."""
    retried = Refund.objects.filter(pk=refund_id, status=RefundStatus.FAILED).update(
        status=RefundStatus.REQUESTED, last_error="", sending_since=None
    )
    if retried:
        refund = Refund.objects.select_related("payment").get(pk=refund_id)
        refund_changed(refund, event="refund_retried", provider=refund.payment.provider)
        _enqueue(refund)
    return bool(retried)


def _claim(refund_id) -> bool:
    """Exactly one sender at a time: a conditional UPDATE only one caller can win."""
    now = timezone.now()
    return bool(
        Refund.objects.filter(pk=refund_id, status=RefundStatus.REQUESTED, provider_refund_id="")
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - SEND_CLAIM_TIMEOUT))
        .update(sending_since=now, attempts=F("attempts") + 1)
    )


def refund_send(*, refund_id) -> Refund:
    """Ask the provider for the refund (no lock held). ProviderUnavailable propagates so the
    task retries later with the same idempotency key; a refusal fails the refund."""
    if not _claim(refund_id):
        return Refund.objects.get(pk=refund_id)  # sent already, being sent, or settled
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
    """Apply what the provider says of a refund (its answer, a webhook, a status check)."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
        if refund.status == RefundStatus.PROCESSED:
            return refund  # final
        status_before = refund.status
        refund.status = STATES[result.state]
        refund.provider_refund_id = result.provider_refund_id or refund.provider_refund_id
        refund.sending_since = None
        if result.state == RefundState.FAILED:
            refund.last_error = (result.reason or "The provider refused the refund.")[:255]
        refund.save()
        if refund.status != status_before or result.state == RefundState.FAILED:
            refund_changed(
                refund,
                event="refund_status_changed",
                provider=refund.payment.provider,
                from_status=status_before,
                error=refund.last_error or None,
            )
        if refund.status == RefundStatus.PROCESSED:
            _settle_payment(refund.payment)
    return refund


def _settle_payment(payment: Payment) -> None:
    """A payment whose own money is all back is REFUNDED."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    back = payment.refunds.filter(
        status=RefundStatus.PROCESSED, provider_payment_id=payment.provider_payment_id
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if back >= payment.amount and payment.status == PaymentStatus.SUCCESS:
        payment.status = PaymentStatus.REFUNDED
        payment.save(update_fields=["status", "updated_at"])
        payment_track(payment, from_status=PaymentStatus.SUCCESS, reason="refunded in full")


def refund_named_by(*, provider_name: str, result: RefundResult) -> Refund | None:
    """Our refund that a provider's refund notice is about, if any."""
    return (
        Refund.objects.filter(payment__provider=provider_name)
        .filter(
            Q(provider_refund_id=result.provider_refund_id, provider_refund_id__gt="")
            | Q(pk__in=[result.reference] if _is_uuid(result.reference) else [])
        )
        .first()
    )


def _reconcile_refund(refund: Refund) -> str:
    if not refund.provider_refund_id:
        refund_send(refund_id=refund.pk)  # never reached the provider: send it (same key)
        return "resent"
    result = get_provider(refund.payment.provider).fetch_refund(
        reference=str(refund.pk), provider_refund_id=refund.provider_refund_id
    )
    return refund_record(refund_id=refund.pk, result=result).status.lower()


def refunds_reconcile() -> Counter:
    """Refunds still REQUESTED after a few minutes: send those never sent, ask about the
    others."""
    stale = Refund.objects.filter(
        status=RefundStatus.REQUESTED, created_at__lte=timezone.now() - REFUND_RECHECK_AFTER
    ).select_related("payment")
    return run_isolated(stale.iterator(), _reconcile_refund, what="Checking refund")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True
