"""The one path from "the provider says the money arrived" to orders and bookings.

Verify, webhooks, status polls and reconciliation all call payment_fulfil. It locks the
payment row, returns the earlier result when it already ran (whatever arrives first wins),
and never calls a provider. When the money arrived but nothing can be built, everything
built is rolled back and the payment is kept as SUCCESS, flagged needs_attention for
refund: money is never forgotten.

Stock is taken last, after the payment and its tracker entry are written and just before
the commit: the variant rows are the ones every checkout of a popular product waits for,
so they stay locked for two statements. (The status change's log line and counter are
emitted on commit, so a build rolled back for want of stock never reports a change.)"""

import logging
import time
from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_create_confirmed
from bookings.tasks import send_booking_confirmation
from cart.lines import Line, booking_lines, product_lines, snapshot_lines, units_of
from cart.models import Cart, Coupon
from cart.pricing import coupon_consume, coupon_problem, lines_total_today
from cart.services import cart_mark_converted, cart_remove_units
from config.exceptions import Unfulfillable
from config.tasks import enqueue_on_commit
from holds.services import holds_end
from invoices.services import invoice_issue
from orders.events import order_event
from orders.models import Order, OrderPaymentStatus, OrderStatus
from orders.services import order_create_from_lines, order_mark_paid, order_take_stock
from orders.tasks import send_receipt

from ..gateways.base import Charge, ChargeState
from ..gateways.registry import capability
from ..models import Payment, PaymentStatus
from ..money import from_minor, to_minor
from ..observe import fulfilment_finished
from .money_back import refund_owed
from .transitions import payment_release_coupon, payment_track

logger = logging.getLogger(__name__)

# A success after these means the checkout had lapsed: honoured only at today's prices.
LAPSED_STATUSES = (PaymentStatus.FAILED, PaymentStatus.EXPIRED)


@dataclass(frozen=True)
class Fulfilment:
    """What a payment built. Read lazily: a webhook that only needs to know it is done
    costs no further queries."""

    payment: Payment

    @property
    def needs_attention(self) -> bool:
        return self.payment.needs_attention

    @property
    def order(self) -> Order | None:
        return self.payment.order

    @cached_property
    def bookings(self) -> list[Booking]:
        if not _buys_bookings(self.payment):
            return []
        return list(self.payment.bookings.order_by("id"))

    @property
    def booking_ids(self) -> list[str]:
        return [booking.book_id for booking in self.bookings]


def _buys_bookings(payment: Payment) -> bool:
    return bool(booking_lines(snapshot_lines(payment.cart_snapshot)))


def _flag(payment: Payment, reason: str) -> None:
    payment.needs_attention = True
    payment.attention_reason = reason[:255]
    logger.warning("Payment %s needs attention: %s", payment.pk, reason)


def _mismatch(payment: Payment, charge: Charge) -> str:
    if charge.amount != to_minor(payment.amount) or charge.currency != payment.currency:
        return (
            f"Paid {charge.amount} {charge.currency} but the payment is for "
            f"{to_minor(payment.amount)} {payment.currency}."
        )
    return ""


def _another_capture(payment: Payment, charge: Charge) -> bool:
    """A second captured provider payment for a provider order already settled: money in
    that nothing will be built for. Only a provider whose one order can be paid twice
    (`repeat_captures`, Razorpay's rare races) has such; where an order completes once and
    refunds name the order, a differing id is never a second capture."""
    return (
        capability(payment.provider, "repeat_captures")
        and charge.state == ChargeState.PAID
        and bool(charge.provider_payment_id)
        and bool(payment.provider_payment_id)
        and charge.provider_payment_id != payment.provider_payment_id
    )


def _captured(payment: Payment, charge: Charge):
    """What arrived (a provider that names no amount is taken at the payment's)."""
    return from_minor(charge.amount) if charge.amount else payment.amount


def _refund_charge(payment: Payment, charge: Charge, reason: str) -> None:
    """The money of this charge goes back, in full, once."""
    refund_owed(
        payment=payment,
        provider_payment_id=charge.provider_payment_id or payment.provider_payment_id,
        amount=_captured(payment, charge),
        currency=charge.currency or payment.currency,
        reason=reason,
    )


def _is_duplicate(payment: Payment) -> bool:
    """Another payment of the same cart was fulfilled after this one was created."""
    return payment.cart_id is not None and (
        Payment.objects.filter(cart_id=payment.cart_id, fulfilled_at__gt=payment.created_at)
        .exclude(pk=payment.pk)
        .exists()
    )


def _check_worth_it_today(payment: Payment, *, coupon: Coupon | None) -> None:
    """A success for a checkout that had failed, expired or been cancelled is honoured only
    at no more than what was paid at today's prices (a sale may have ended meanwhile)."""
    today = lines_total_today(snapshot_lines(payment.cart_snapshot), coupon=coupon)
    if today is None:
        raise Unfulfillable("An item of this checkout is no longer sold.")
    if today > payment.amount:
        raise Unfulfillable(
            f"The checkout had lapsed and today it costs {today}, more than the "
            f"{payment.amount} paid."
        )


def _holds_coupon(payment: Payment) -> bool:
    """Whether the payment holds a use of its coupon, taking one again if it gave its
    use back when it failed or expired (and the coupon is still good)."""
    coupon = payment.coupon
    if coupon is None:
        return False
    return payment.coupon_use_held or (not coupon_problem(coupon) and coupon_consume(coupon))


def _confirm_order(payment: Payment, charge: Charge, *, lapsed: bool) -> Order:
    """Order-first: the order already exists with its stock reserved (or, once cancelled,
    released: order_mark_paid takes it again)."""
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    if lapsed or order.status == OrderStatus.CANCELLED:
        _check_worth_it_today(payment, coupon=None)
    order_mark_paid(order=order, shipping_address=charge.shipping_address)
    return order


@dataclass(frozen=True)
class _Built:
    coupon_held: bool  # the payment now spends its coupon use
    stock_to_take: list  # a payment-first order's items: their stock is taken last
    sold: Order | Booking | None = None  # what its tax document is issued for


def _fulfil(payment: Payment, charge: Charge, *, lapsed: bool) -> _Built:
    """Build what was paid for. Raises Unfulfillable, and then the caller's transaction
    undoes everything done here."""
    if payment.order_id:
        order = _confirm_order(payment, charge, lapsed=lapsed)
        return _Built(coupon_held=False, stock_to_take=[], sold=order)
    coupon_held = _holds_coupon(payment)
    if lapsed:
        _check_worth_it_today(payment, coupon=payment.coupon if coupon_held else None)
    elif payment.coupon is not None and not coupon_held:
        raise Unfulfillable(f"Coupon {payment.coupon.code} reached its usage limit.")
    items, sold = _build_from_snapshot(payment)
    return _Built(coupon_held=coupon_held, stock_to_take=items, sold=sold)


def _build_from_snapshot(payment: Payment) -> tuple[list, Order | Booking | None]:
    """Payment-first: make the order or booking the snapshot describes. Returns the
    order's items, whose stock is taken last, and what was made."""
    if payment.cart_id:
        # Lock the cart so two payments of one cart settle one after the other.
        cart = Cart.objects.select_for_update().get(pk=payment.cart_id)
        if _is_duplicate(payment):
            raise Unfulfillable("Duplicate payment: this cart was already paid by another payment.")
    snapshot = payment.cart_snapshot
    lines = snapshot_lines(snapshot)
    products, items = product_lines(lines), []
    if products:
        created = order_create_from_lines(
            user_id=payment.user_id,
            lines=products,
            status=OrderStatus.PAYMENT_CONFIRMED,
            subtotal=payment.subtotal,
            discount_total=payment.discount_total,
            total=payment.amount,
            currency=payment.currency,
            shipping_address=payment.shipping_address,
            billing_address=payment.billing_address,
            coupon_code=snapshot.get("coupon_code", ""),
            payment_status=OrderPaymentStatus.PAID,
            paid_at=timezone.now(),
            is_locked=True,
        )
        payment.order, items = created.order, created.items
        order_event(created.order, "order.paid", items=created.items)
    sold: Order | Booking | None = payment.order
    for line in booking_lines(lines):
        sold = booking_create_confirmed(
            user_id=payment.user_id, line=line, total_amount=payment.amount, payment=payment
        )
    if payment.cart_id:
        if cart.ends_when_paid:
            cart_mark_converted(cart=cart)
        else:
            cart_remove_units(cart=cart, units=units_of(products))
    return items, sold


def _invoice(payment: Payment, sold: Order | Booking) -> None:
    """The tax document of what the payment bought, in this transaction."""
    lines = snapshot_lines(payment.cart_snapshot)
    bought: list[Line] = lines if isinstance(sold, Order) else [*booking_lines(lines)]
    invoice_issue(
        user_id=payment.user_id,
        buyer_name=payment.user.full_name or payment.user.reach_email,
        lines=bought,
        discount=payment.discount_total,
        shipping_address=payment.shipping_address or {},
        billing_address=payment.billing_address or {},
        order=sold if isinstance(sold, Order) else None,
        booking=sold if isinstance(sold, Booking) else None,
    )


# What fulfilling (or flagging) a payment may change (the cart snapshot and addresses never change).
FULFILMENT_FIELDS = [
    "status",
    "captured_amount",
    "completed_at",
    "provider_payment_id",
    "order",
    "fulfilled_at",
    "coupon_use_held",
    "needs_attention",
    "attention_reason",
    "updated_at",
]


def payment_fulfil(*, payment_id, charge: Charge) -> Fulfilment:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            fulfilment, outcome = _fulfil_locked(payment_id, charge)
    except Unfulfillable as exc:
        # Paid but nothing can be supplied: the rollback undid any half-built order;
        # settle again, keeping the money visible for a refund.
        with transaction.atomic():
            fulfilment, outcome = _fulfil_locked(payment_id, charge, unfulfillable=str(exc))
    fulfilment_finished(fulfilment.payment, outcome=outcome, seconds=time.perf_counter() - started)
    return fulfilment


def _fulfil_locked(
    payment_id, charge: Charge, *, unfulfillable: str = ""
) -> tuple[Fulfilment, str]:
    """Under the payment's row lock: mark it paid and build what it bought, or flag it
    for refund when the charge does not match or (`unfulfillable`) building failed."""
    # The buyer read in the same statement: the tax document names them.
    payment = (
        Payment.objects.select_for_update(of=("self",)).select_related("user").get(pk=payment_id)
    )
    if payment.fulfilled_at or payment.needs_attention or payment.status == PaymentStatus.REFUNDED:
        if _another_capture(payment, charge):
            _refund_charge(payment, charge, "A second capture for an order already paid.")
        return Fulfilment(payment=payment), "already_done"
    holds_end(payment=payment)  # settled either way: what it held is taken now, or freed
    status_before = payment.status
    payment.status = PaymentStatus.SUCCESS
    payment.captured_amount = _captured(payment, charge)
    payment.completed_at = payment.completed_at or timezone.now()
    payment.provider_payment_id = charge.provider_payment_id or payment.provider_payment_id
    stock_to_take, sold = [], None
    # A signed notice for other money than we asked is never built on.
    if problem := _mismatch(payment, charge) or unfulfillable:
        _flag(payment, problem)
        payment_release_coupon(payment)  # the money goes back, so does the coupon use
    else:
        built = _fulfil(payment, charge, lapsed=status_before in LAPSED_STATUSES)
        payment.coupon_use_held, stock_to_take, sold = (
            built.coupon_held,
            built.stock_to_take,
            built.sold,
        )
        payment.fulfilled_at = timezone.now()
    payment.save(update_fields=FULFILMENT_FIELDS)
    payment_track(payment, from_status=status_before, reason=payment.attention_reason or "paid")
    if stock_to_take:
        order_take_stock(items=stock_to_take)
    if sold is not None:
        _invoice(payment, sold)  # last before the commit: its number's lock is held least
    if payment.needs_attention:
        _refund_charge(payment, charge, payment.attention_reason)
        return Fulfilment(payment=payment), "needs_attention"
    if payment.order_id:
        enqueue_on_commit(send_receipt, payment.order_id)
    if _buys_bookings(payment):
        for booking_id in payment.bookings.values_list("pk", flat=True):
            enqueue_on_commit(send_booking_confirmation, booking_id)
    return Fulfilment(payment=payment), "fulfilled"
