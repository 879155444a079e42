"""Money back: every way captured money goes back to the shopper — a staff refund (full or
partial), an automatic refund, a retry, a dispute lost or accepted — reads and changes one
figure per capture, under the payment's row lock:

    what may still go back = captured − refunds processed − refunds in flight
                             − refunds given up as returned another way
                             − what lost or accepted disputes took

A refund is refused above it; a dispute that takes money reduces the refunds not yet sent
by what it took (given up in full, or in part with a new attempt for the rest), so no
order of events returns more than was captured. Credit notes follow: each credits at most
what its invoice has left, and what money back undoes (the order, the bookings) is undone
here too. The ledger's audit adds up the same rows (ledger.py).

Locks: the payment first, then its refunds, then the order and the bookings, in every path."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from bookings.services import booking_cancel
from config.exceptions import Invalid
from config.tasks import enqueue_on_commit
from invoices.services import credit_note_issue, invoice_of_payment
from orders.models import Order
from orders.services import order_mark_refunded

from ..models import (
    MONEY_RETURNED_STATUSES,
    OPEN_DISPUTE_STATUSES,
    Dispute,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from ..money import to_minor
from ..observe import refund_changed
from .transitions import payment_track

# Refunds whose money is back, on its way, or returned another way (given up by staff). One
# given up because a lost dispute returned the money counts as that dispute, not twice.
RETURNED_BY_REFUND = Q(status__in=[RefundStatus.REQUESTED, RefundStatus.PROCESSED]) | Q(
    given_up_at__isnull=False, superseded_by__isnull=True
)


class RefundRefused(Invalid):
    """A refund that cannot be made (more than is left, nothing paid, a bad amount)."""


def _total(rows: QuerySet, field: str = "amount") -> Decimal:
    return rows.aggregate(total=Sum(field))["total"] or Decimal("0")


@dataclass(frozen=True)
class MoneyBack:
    """What one capture brought in, and what of it went back by refunds and by disputes."""

    captured: Decimal
    refunded: Decimal
    taken_by_disputes: Decimal

    @property
    def left(self) -> Decimal:
        """What may still go back."""
        return self.captured - self.refunded - self.taken_by_disputes


def captured_of(payment: Payment, provider_payment_id: str) -> Decimal:
    """What one provider payment of this payment brought in: its own capture, or a second
    capture, whose only record is the automatic refund made for all of it."""
    if provider_payment_id == payment.provider_payment_id:
        return payment.captured_amount or Decimal("0")
    first = payment.refunds.filter(
        provider_payment_id=provider_payment_id, automatic=True, retry_of__isnull=True
    ).first()
    return first.amount if first else Decimal("0")


def money_back_of(payment: Payment, provider_payment_id: str | None = None) -> MoneyBack:
    """The figure for one capture (by default the payment's own). Disputes name the
    payment by its own capture, so only that capture's figure counts them."""
    if provider_payment_id is None:
        provider_payment_id = payment.provider_payment_id or ""
    own = provider_payment_id == payment.provider_payment_id
    return MoneyBack(
        captured=captured_of(payment, provider_payment_id),
        refunded=_total(
            payment.refunds.filter(RETURNED_BY_REFUND, provider_payment_id=provider_payment_id)
        ),
        taken_by_disputes=_total(
            Dispute.objects.filter(payment=payment, status__in=MONEY_RETURNED_STATUSES),
            "amount_deducted",
        )
        if own
        else Decimal("0"),
    )


def returnable_left(payment: Payment, provider_payment_id: str | None = None) -> Decimal:
    return money_back_of(payment, provider_payment_id).left


def _what_the_bank_returned(figure: MoneyBack) -> str:
    if not figure.taken_by_disputes:
        return ""
    return f" (the bank already returned {figure.taken_by_disputes} through a dispute)"


def refund_amount_checked(amount, *, figure: MoneyBack) -> Decimal:
    """`amount` as a refund may ask it: whole paise, above zero, at most what is left."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise RefundRefused("The amount is not a number.")
    try:
        to_minor(amount)
    except ValueError as exc:
        raise RefundRefused(f"{amount} is more precise than a paisa (0.01).") from exc
    if amount <= 0:
        raise RefundRefused("A refund must be more than zero.")
    left = max(figure.left, Decimal("0"))
    if amount > left:
        raise RefundRefused(
            f"A refund of {amount} is more than the {left} left to refund"
            f"{_what_the_bank_returned(figure)}."
        )
    return amount


def nothing_left_refused(figure: MoneyBack, what: str) -> RefundRefused:
    return RefundRefused(f"Nothing is left to refund of {what}{_what_the_bank_returned(figure)}.")


def _enqueue(refund: Refund) -> None:
    enqueue_on_commit("payments.tasks.send_refund", str(refund.pk))


def refund_owed(
    *, payment: Payment, provider_payment_id: str, amount: Decimal, currency: str, reason: str
) -> Refund | None:
    """Money arrived that we cannot keep: one automatic refund per provider payment, for
    what of it has not gone back another way (a lost dispute), however often this is
    called. Runs inside the caller's transaction, which holds the payment's row lock."""
    existing = Refund.objects.filter(
        payment=payment, provider_payment_id=provider_payment_id, automatic=True, retry_of=None
    ).first()
    if existing is not None:
        return existing
    figure = money_back_of(payment, provider_payment_id)
    # A second capture is known only by this refund: all of it is owed.
    left = figure.left if figure.captured else amount
    if left <= 0:
        return None  # the bank returned it all already
    refund = Refund.objects.create(
        payment=payment,
        provider_payment_id=provider_payment_id,
        amount=min(amount, left),
        currency=currency,
        reason=reason[:255],
    )
    refund_changed(refund, event="refund_requested", provider=payment.provider, reason=reason)
    _enqueue(refund)
    return refund


def dispute_open_for(payment: Payment) -> bool:
    """While a dispute is open the bank may return the money itself: no refund is made or
    sent."""
    return Dispute.objects.filter(payment=payment, status__in=OPEN_DISPUTE_STATUSES).exists()


def refund_attempt(
    *,
    payment: Payment,
    amount: Decimal,
    reason: str,
    staff,
    provider_payment_id: str | None = None,
    retry_of: Refund | None = None,
) -> Refund:
    """A refund of `amount` (whole paise, at most what may still go back) sent as a new
    attempt. The caller's transaction holds the payment's row lock, so two staff actions,
    or a staff action and a dispute, see each other's money."""
    if not reason.strip():
        raise RefundRefused("Say why the money goes back.")
    if dispute_open_for(payment):
        raise RefundRefused("A dispute is open: the bank may already return this money.")
    if provider_payment_id is None:
        provider_payment_id = payment.provider_payment_id
    figure = money_back_of(payment, provider_payment_id)
    amount = refund_amount_checked(amount, figure=figure)
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


# ---------------------------------------------------------------- disputes


def unsent_refunds(payment: Payment) -> QuerySet[Refund]:
    """Refunds of the payment's own capture decided but not yet made at the provider."""
    return Refund.objects.filter(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        status=RefundStatus.REQUESTED,
        provider_refund_id="",
    )


def _reduce_unsent_refunds(dispute: Dispute, payment: Payment) -> None:
    """The bank returned `amount_deducted`: the refunds not yet sent are reduced by it, the
    oldest first — each given up in full, or in part with a new attempt for the rest —
    so the shopper is not paid twice for the same money."""
    taken = dispute.amount_deducted
    for refund in unsent_refunds(payment).select_for_update().order_by("created_at"):
        if taken <= 0:
            break
        cut = min(refund.amount, taken)
        taken -= cut
        refund.status = RefundStatus.FAILED
        refund.given_up_at = timezone.now()
        refund.given_up_reason = f"Not sent: the bank returned {cut} through dispute {dispute}."
        refund.superseded_by = dispute
        refund.sending_since = None
        refund.save()
        refund_changed(
            refund, event="refund_superseded", provider=payment.provider, dispute=str(dispute)
        )
        if cut < refund.amount:
            rest = Refund.objects.create(
                payment=payment,
                provider_payment_id=refund.provider_payment_id,
                amount=refund.amount - cut,
                currency=refund.currency,
                reason=refund.reason,
                automatic=refund.automatic,
                requested_by=refund.requested_by,
                retry_of=refund,
            )
            refund_changed(
                rest, event="refund_retried", provider=payment.provider, retry_of=str(refund.pk)
            )


def dispute_money_settled(dispute: Dispute, payment: Payment) -> None:
    """A dispute of the payment ended (the caller holds the payment's row lock): what it
    took reduces the refunds not yet sent and is credited on the invoice; the refunds that
    waited for it go out."""
    if dispute.status in MONEY_RETURNED_STATUSES and dispute.amount_deducted:
        _reduce_unsent_refunds(dispute, payment)
        payment_credit_note(payment, dispute.amount_deducted, source=f"dispute:{dispute.pk}")
    for refund in unsent_refunds(payment):
        _enqueue(refund)


# ---------------------------------------------------------------- what follows money back


def payment_credit_note(payment: Payment, amount: Decimal, *, source: str) -> None:
    """Money that went back is corrected on the sale's tax document, in this transaction
    (for no more than the invoice has left: see credit_note_issue)."""
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


def refund_processed(refund: Refund) -> None:
    """A refund's money is back (the caller holds the payment's lock): credited on the
    invoice and, once the whole capture is back, the payment REFUNDED and what it bought
    undone."""
    payment = refund.payment
    payment_credit_note(payment, refund.amount, source=f"refund:{refund.pk}")
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
