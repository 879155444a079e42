"""Creating a payment is three short steps, none holding a lock while the provider is called:
1. snapshot what is bought and write the payment row (INITIATED) in one insert;
2. ask the provider for an order;
3. store the provider's order id (or mark the payment FAILED when the provider failed).
A crash between 1 and 3 leaves an INITIATED payment with no provider order, which
reconciliation expires."""

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cart.lines import Line, Snapshot, product_line, snapshot_lines
from cart.models import Cart, CartStatus
from cart.pricing import PricedCart, cart_price, check_payable, coupon_consume, coupon_get_valid
from cart.selectors import cart_get_for_user
from cart.services import shop_cart_get_or_create
from config.exceptions import Invalid, Missing, Unfulfillable
from holds.services import hold_ends_at, holds_of_cart, holds_take, holds_turn
from holds.slots import slot_has_passed, slot_refuse_when_full, slot_use
from holds.stock import stock_check_lines
from orders.models import Order, OrderStatus

from ..gateways.base import PaymentProvider, ProviderFailure, ProviderOrder
from ..gateways.registry import get_provider
from ..models import OPEN_PAYMENT_STATUSES, Payment
from ..money import to_minor
from ..observe import payment_created
from .frontend import allowed_return_url
from .transitions import payment_expire, payment_mark_failed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenedPayment:
    payment: Payment
    provider_order: ProviderOrder


def _check_stock_and_slots(cart: Cart, priced: PricedCart) -> None:
    """Cheap refusals before any lock or write, from what was read with the cart (what
    other checkouts hold included, this cart's own left out): in a flash sale most
    shoppers are refused here. The locked checks come with the holds."""
    own = holds_of_cart(cart)
    stock_check_lines(
        priced.lines, priced.stock, held_by_others=priced.held_by_others, own_holds=own
    )
    service, day, at = cart.puja_service, cart.selected_date, cart.selected_time
    if not cart.is_booking or service is None or day is None or at is None:
        return  # a shop cart (a booking cart has all three: Cart's check constraint)
    if slot_has_passed(selected_date=day, selected_time=at):
        raise Invalid("The selected date and time are in the past.")
    use = slot_use(puja_service=service, selected_date=day, selected_time=at, excluding=own)
    if use.booked >= use.capacity:
        raise Invalid("This slot is already booked.")
    name = f"{day} {at:%H:%M} for {service.name}"
    slot_refuse_when_full(use, name=name, excluding=own)


def _resolve_cart(*, user, cart_ref, cart: Cart | None) -> Cart:
    if cart is not None:
        return cart
    if cart_ref in (None, ""):
        return shop_cart_get_or_create(user=user)
    return cart_get_for_user(user=user, reference=cart_ref)


def _expire_dead_attempts(*, user, idempotency_key: str) -> None:
    """This request runs with a key an earlier run of it claimed and never answered (its
    worker died): what that run started is expired, its holds and coupon use given back,
    so the shopper is left with this payment alone and the provider order nobody was told
    of is never used (should it be paid all the same, late success settles it)."""
    dead = Payment.objects.filter(
        user=user, idempotency_key=idempotency_key, status__in=OPEN_PAYMENT_STATUSES
    ).values_list("pk", flat=True)
    for payment_id in dead:
        payment_expire(payment_id=payment_id, reason="its request died; retried with its key")


def payment_start_from_cart(
    *,
    user,
    provider: str,
    cart_ref=None,
    cart: Cart | None = None,
    currency: str = "INR",
    shipping_address: dict | None = None,
    billing_address: dict | None = None,
    coupon_code: str = "",
    return_url: str = "",
    hold_seconds: int | None = None,
    idempotency_key: str = "",
) -> Payment:
    """Step 1: validate the cart (the shopper's by `cart_ref`, or a payment link's `cart`
    itself) and freeze it into an INITIATED payment, holding what it buys for
    `hold_seconds` (by default CHECKOUT_HOLD_SECONDS)."""
    cart = _resolve_cart(user=user, cart_ref=cart_ref, cart=cart)
    if cart.status == CartStatus.CONVERTED:
        raise Invalid("Cart has already been paid for.")
    code = coupon_code or cart.promo_code
    coupon = coupon_get_valid(code) if code else None
    priced = cart_price(cart, coupon=coupon)
    if not priced.lines:
        raise Invalid("Cart is empty.")
    _check_stock_and_slots(cart, priced)
    check_payable(priced.total)
    if idempotency_key:
        _expire_dead_attempts(user=user, idempotency_key=idempotency_key)
    # Taking a coupon use and the holds, and creating the payment that holds them, are one
    # unit: a refusal leaves nothing behind.
    held_until = hold_ends_at(hold_seconds)
    with transaction.atomic() if coupon or held_until else nullcontext():
        # The owner's checkouts take turns (fair use, one cart's holds taken over once).
        holds_here = held_until is not None and holds_turn(
            cart=cart, guest_contact=user.contact_email if user.is_guest else ""
        )
        if coupon and not coupon_consume(coupon):
            raise Invalid(f"Invalid coupon: {coupon.code} has reached its usage limit.")
        payment = Payment.objects.create(
            user=user,
            cart=cart,
            cart_snapshot=priced.snapshot(cart),
            shipping_address=shipping_address or {},
            billing_address=billing_address or {},
            coupon=coupon,
            coupon_use_held=coupon is not None,
            subtotal=priced.subtotal,
            discount_total=priced.discount_total,
            amount=priced.total,
            currency=currency,
            provider=provider,
            return_url=allowed_return_url(return_url),
            held_until=held_until,
            idempotency_key=idempotency_key,
        )
        if held_until:
            holds_take(
                payment=payment,
                lines=snapshot_lines(payment.cart_snapshot),
                until=held_until,
                takes_over=holds_here,  # a cart whose checkouts hold nothing has none to replace
            )
    return payment


@transaction.atomic
def payment_start_for_order(*, user, order_id: int, provider: str) -> Payment:
    """Step 1 (order-first): a payment for an existing pending_payment order, made under
    the order's lock so an older payment expiring meanwhile sees it and keeps the order."""
    order = (
        Order.objects.select_for_update()
        .filter(user=user, pk=order_id)
        .exclude(status=OrderStatus.DRAFT)
        .first()
    )
    if order is None:
        raise Missing("Order not found.")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Invalid(f"Order {order.order_number} is {order.status}, not awaiting payment.")
    return payment_for_order(order=order, provider=provider)


def payment_for_order(*, order: Order, provider: str) -> Payment:
    check_payable(order.total)
    lines: list[Line] = []
    for item in order.items.select_related("product"):
        product = item.product
        if product is None or item.variant_id is None:
            # Its product was deleted from the catalogue since: nothing could be shipped.
            raise Unfulfillable(f"{item.product_name} is no longer sold.")
        lines.append(
            product_line(
                product_id=product.pk,
                variant_id=item.variant_id,
                product_name=item.product_name,
                variant_name=item.variant_name,
                unit_price=item.unit_price,
                quantity=item.quantity,
                tax_code=product.hsn_code,
                gst_rate=product.gst_rate,
            )
        )
    return Payment.objects.create(
        user=order.user,
        order=order,
        cart_snapshot=Snapshot(order_number=order.order_number, lines=lines),
        shipping_address=order.shipping_address,
        billing_address=order.billing_address,
        subtotal=order.subtotal,
        discount_total=order.discount_total,
        amount=order.total,
        currency=order.currency,
        provider=provider,
    )


def payment_notes(payment: Payment) -> dict:
    """What a payment tells its provider about itself (Razorpay notes, Stripe metadata)."""
    notes = {"payment_id": str(payment.pk)}
    if payment.cart_id:
        notes["cart_id"] = payment.cart_snapshot.get("cart_id") or str(payment.cart_id)
    if payment.order_id:
        notes |= {"order_id": str(payment.order_id), "user_id": str(payment.user_id)}
    return notes


def hold_seconds_left(payment: Payment) -> int | None:
    """How long the payment's holds have left (None: it holds nothing): the provider's pay
    page ends with them where the provider allows."""
    if payment.held_until is None:
        return None
    return max(int((payment.held_until - timezone.now()).total_seconds()), 0)


def payment_open_at_provider(*, payment: Payment, return_url: str = "") -> OpenedPayment:
    """Steps 2 and 3 with the provider's order."""
    return payment_open_with(
        payment,
        lambda provider: provider.create_order(
            reference=payment.merchant_order_id,
            amount=to_minor(payment.amount),
            currency=payment.currency,
            notes=payment_notes(payment),
            return_url=return_url,
            expires_in=hold_seconds_left(payment),
        ),
    )


def payment_open_with(
    payment: Payment, open_order: Callable[[PaymentProvider], ProviderOrder]
) -> OpenedPayment:
    """Steps 2 and 3: `open_order` asks the provider for what the payment is paid through
    (an order, a payment link). On any provider failure the payment is marked FAILED (its
    holds and coupon use given back) and the ProviderFailure goes on; nothing is left
    pending."""
    payment_created(payment)
    try:
        provider_order = open_order(get_provider(payment.provider))
    except ProviderFailure as exc:
        logger.warning("Payment %s: provider order failed: %s", payment.pk, exc)
        payment_mark_failed(
            payment_id=payment.pk, reason="The payment provider could not be reached."
        )
        raise  # the API answers 502; nothing is left pending
    payment.provider_order_id = provider_order.provider_order_id
    payment.checkout_url = provider_order.checkout_url
    payment.save(update_fields=["provider_order_id", "checkout_url", "updated_at"])
    return OpenedPayment(payment=payment, provider_order=provider_order)
