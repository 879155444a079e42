"""Every refund goes through here: automatic ones for money that arrived but cannot be used,
and staff ones from admin. A refund is a row first (our id is the provider's idempotency
key), sent by a task after the transaction that made it commits, never while a lock is
held; the provider's answer, its refund webhooks and reconciliation move it on.

Refunds of one capture never add up to more than it brought: every amount is checked
against what is left under the payment's row lock (see refundable_left), and a failed
attempt is retried only as a new attempt for no more than is left then
(refund_retries.py)."""

import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from bookings.services import booking_cancel
from config.exceptions import Invalid
from config.tasks import enqueue_on_commit
from invoices.services import credit_note_issue, invoice_of_payment
from orders.models import Order
from orders.services import order_mark_refunded

from ..disputes.models import OPEN_DISPUTE_STATUSES, Dispute
from ..events import refund_event
from ..gateways.base import ProviderError, ProviderUnavailable, RefundResult, RefundState
from ..gateways.registry import get_provider
from ..models import Payment, PaymentStatus, Refund, RefundStatus
from ..money import to_minor
from ..observe import refund_changed
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
# Money a refund accounts for: back, on its way, or returned another way (given up on).
ACCOUNTED = Q(status__in=[RefundStatus.REQUESTED, RefundStatus.PROCESSED]) | Q(
    given_up_at__isnull=False
)


class RefundRefused(Invalid):
    """A refund that cannot be made (more than is left, nothing paid, a bad amount)."""


REFUND_EVENTS = {RefundStatus.PROCESSED: "refund.processed", RefundStatus.FAILED: "refund.failed"}


def _enqueue(refund: Refund) -> None:
    from ..tasks import send_refund  # tasks import services; services enqueue tasks

    enqueue_on_commit(send_refund, str(refund.pk))


def _total(refunds: QuerySet) -> Decimal:
    return refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def captured_of(payment: Payment, provider_payment_id: str) -> Decimal:
    """What one provider payment of this payment brought in: its own capture, or a second
    capture, whose only record is the automatic refund made for all of it."""
    if provider_payment_id == payment.provider_payment_id:
        return payment.captured_amount or Decimal("0")
    first = payment.refunds.filter(
        provider_payment_id=provider_payment_id, automatic=True, retry_of__isnull=True
    ).first()
    return first.amount if first else Decimal("0")


def refundable_left(payment: Payment, provider_payment_id: str | None = None) -> Decimal:
    """What of a capture (by default the payment's own) no refund accounts for yet."""
    if provider_payment_id is None:
        provider_payment_id = payment.provider_payment_id
    accounted = payment.refunds.filter(ACCOUNTED, provider_payment_id=provider_payment_id)
    return captured_of(payment, provider_payment_id) - _total(accounted)


def refund_amount_checked(amount, *, left: Decimal) -> Decimal:
    """`amount` as a refund may ask it: whole paise, above zero, at most `left`."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise RefundRefused("The amount is not a number.")
    try:
        to_minor(amount)
    except ValueError as exc:
        raise RefundRefused(f"{amount} is more precise than a paisa (0.01).") from exc
    if amount <= 0:
        raise RefundRefused("A refund must be more than zero.")
    if amount > left:
        raise RefundRefused(f"A refund of {amount} is more than the {left} left to refund.")
    return amount


def refund_owed(
    *, payment: Payment, provider_payment_id: str, amount: Decimal, currency: str, reason: str
) -> Refund:
    """Money arrived that we cannot keep: one automatic full refund per provider payment,
    however often this is called. Runs inside the caller's transaction."""
    refund, created = Refund.objects.get_or_create(
        payment=payment,
        provider_payment_id=provider_payment_id,
        automatic=True,
        retry_of=None,
        defaults={"amount": amount, "currency": currency, "reason": reason[:255]},
    )
    if created:
        refund_changed(refund, event="refund_requested", provider=payment.provider, reason=reason)
        _enqueue(refund)
    return refund


def refund_attempt(
    *,
    payment: Payment,
    amount: Decimal,
    reason: str,
    staff,
    provider_payment_id: str | None = None,
    retry_of: Refund | None = None,
) -> Refund:
    """A refund of `amount` (whole paise, at most what is left of the capture) sent as a
    new attempt. The caller's transaction holds the payment's row lock, so two staff
    actions at once see each other's refunds."""
    if not reason.strip():
        raise RefundRefused("Say why the money goes back.")
    if Dispute.objects.filter(payment=payment, status__in=OPEN_DISPUTE_STATUSES).exists():
        raise RefundRefused("A dispute is open: the bank may already return this money.")
    if provider_payment_id is None:
        provider_payment_id = payment.provider_payment_id
    amount = refund_amount_checked(amount, left=refundable_left(payment, provider_payment_id))
    refund = Refund.objects.create(
        payment=payment,
        provider_payment_id=provider_payment_id,
        amount=amount,
        currency=payment.currency,
        reason=reason.strip()[:255],
        automatic=retry_of.automatic if retry_of else False,
        requested_by=staff,
        retry_of=retry_of,
    )
    refund_changed(
        refund,
        event="refund_retried" if retry_of else "refund_requested",
        provider=payment.provider,
        staff_id=staff.pk if staff else None,
        retry_of=str(retry_of.pk) if retry_of else None,
    )
    _enqueue(refund)
    return refund


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
    task retries later with the same idempotency key; a refusal (a revoked key included)
    fails the refund, visibly, for staff to retry or give up."""
    if Refund.objects.filter(
        pk=refund_id, automatic=True, payment__disputes__status__in=OPEN_DISPUTE_STATUSES
    ).exists():
        # Waits: sent when the dispute ends without the bank returning the money.
        return Refund.objects.get(pk=refund_id)
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
    """Apply what the provider says of a refund (its answer, a webhook, a status check).
    PROCESSED is final; a failed attempt that was retried or given up stays as it is
    unless the provider says its money did go back after all."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
        settled = refund.given_up_at is not None or Refund.objects.filter(retry_of=refund).exists()
        if refund.status == RefundStatus.PROCESSED or (
            settled and result.state != RefundState.PROCESSED
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
        if refund.status == RefundStatus.PROCESSED:
            refund.given_up_at, refund.given_up_by, refund.given_up_reason = None, None, ""
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
            payment_credit_note(refund.payment, refund.amount, source=f"refund:{refund.pk}")
            _refunded_in_full(refund.payment)
    return refund


def payment_credit_note(payment: Payment, amount: Decimal, *, source: str) -> None:
    """Money that went back is corrected on the sale's tax document, in this transaction."""
    invoice = invoice_of_payment(payment)
    if invoice is not None:
        credit_note_issue(invoice=invoice, amount=amount, source=source)


def payment_undo_fulfilment(payment: Payment, *, changed_by=None) -> None:
    """What a payment refunded in full bought is undone: its order refunded (unless
    another payment paid for it) and its bookings cancelled. The caller holds the
    payment's row lock; the order is locked after it (payment, then order, then bookings,
    in every path, so none deadlocks another)."""
    if payment.order_id and not (
        Payment.objects.filter(order_id=payment.order_id, fulfilled_at__isnull=False)
        .exclude(pk=payment.pk)
        .exists()
    ):
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        order_mark_refunded(order=order, changed_by=changed_by)
    for booking in payment.bookings.select_for_update():
        booking_cancel(booking=booking)


def _refunded_in_full(payment: Payment) -> None:
    """A payment whose own capture is all back is REFUNDED, and what it bought undone."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    back = _total(
        payment.refunds.filter(
            status=RefundStatus.PROCESSED, provider_payment_id=payment.provider_payment_id
        )
    )
    if payment.status == PaymentStatus.SUCCESS and back >= captured_of(
        payment, payment.provider_payment_id
    ):
        payment.status = PaymentStatus.REFUNDED
        payment.save(update_fields=["status", "updated_at"])
        payment_track(payment, from_status=PaymentStatus.SUCCESS, reason="refunded in full")
        payment_undo_fulfilment(payment)


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


def refunds_reconcile() -> Counter:
    """Refunds still REQUESTED after a few minutes: send those never sent, ask about the
    others."""
    stale = Refund.objects.filter(
        status=RefundStatus.REQUESTED, created_at__lte=timezone.now() - REFUND_RECHECK_AFTER
    ).select_related("payment")
    return run_isolated(stale.iterator(), _reconcile_refund, what="Checking refund")


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True
