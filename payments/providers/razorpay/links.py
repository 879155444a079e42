"""Payment links: staff take a booking or an order by phone, and the customer pays from a
text message. The link's payment is an ordinary payment-first payment of a cart priced for
the customer (a booking cart, or a link cart of product lines), holding what it sells for
the link's life; its provider order is the Razorpay Payment Link (plink_…). The webhook,
the browser's signed return and reconciliation all settle it through the one fulfilment
service, with Razorpay asked for the capture first."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.services import customer_get_or_create
from cart.services import booking_cart_create, cart_abandon, link_cart_create
from config.exceptions import Conflict, Invalid, Missing

from ...gateways.base import InvalidSignature, ProviderError, ProviderFailure
from ...models import Payment
from ...money import to_minor
from ...services.charges import payment_sync_with_provider
from ...services.checkout import payment_notes, payment_open_with, payment_start_from_cart
from ...services.refunds import is_uuid
from ...services.transitions import payment_expire
from . import GATEWAY
from .models import PaymentLink
from .provider import razorpay_provider

# Razorpay takes an expiry at least 15 minutes and at most six months ahead.
SHORTEST_LINK_SECONDS = 15 * 60
LONGEST_LINK_SECONDS = 180 * 24 * 3600
# What Razorpay's link ids look like (plink_ and 14 letters or digits); anything else names
# no link of ours and is not looked up (a NUL byte would not even reach the database).
LINK_ID = re.compile(r"plink_[A-Za-z0-9]{1,40}")


def _link_seconds(expires_in: int | None) -> int:
    seconds = expires_in or settings.PAYMENT_LINK_TTL_SECONDS
    if not SHORTEST_LINK_SECONDS <= seconds <= LONGEST_LINK_SECONDS:
        raise Invalid(
            f"A payment link lives from {SHORTEST_LINK_SECONDS} seconds to "
            f"{LONGEST_LINK_SECONDS // 86400} days."
        )
    return seconds


def _description(payment: Payment) -> str:
    names = [
        line.get("service_name") or f"{line['quantity']} × {line['product_name']}"
        for line in payment.cart_snapshot["lines"]
    ]
    return ", ".join(names)


def payment_link_create(
    *,
    staff,
    customer: dict,
    callback_url: str,
    booking: dict | None = None,
    items: list[dict] | None = None,
    coupon_code: str = "",
    expires_in: int | None = None,
) -> PaymentLink:
    """A link for `customer` ({email, name, phone}) to pay for `booking` ({puja_service,
    package, selected_date, selected_time}) or `items` ([{product_id, variant_id?,
    quantity}]) at catalog prices. The customer, cart, payment, holds and link row are
    written in one transaction; Razorpay is asked after it (no lock held), and if it
    fails, the payment is failed and the cart abandoned: nothing is left half-made."""
    if bool(booking) == bool(items):
        raise Invalid("A payment link sells either a booking or items.")
    seconds = _link_seconds(expires_in)
    with transaction.atomic():
        user = customer_get_or_create(**customer)
        if booking:
            cart = booking_cart_create(
                user=user,
                puja_service_id=booking["puja_service"],
                package_id=booking["package"],
                selected_date=booking["selected_date"],
                selected_time=booking["selected_time"],
                for_payment_link=True,
            )
        else:
            cart = link_cart_create(user=user, items=items or [])
        payment = payment_start_from_cart(
            user=user,
            cart=cart,
            provider=GATEWAY.name,
            coupon_code=coupon_code,
            hold_seconds=seconds,
        )
        # Reconciliation leaves it open until then, not PAYMENT_EXPIRY_SECONDS.
        payment.payable_until = timezone.now() + timedelta(seconds=seconds)
        payment.save(update_fields=["payable_until"])
        link = PaymentLink.objects.create(
            payment=payment, expires_at=payment.payable_until, created_by=staff
        )
    contact = {"name": user.full_name or user.email, "email": user.email}
    if customer.get("phone") or user.phone:
        contact["contact"] = customer.get("phone") or user.phone
    try:
        opened = payment_open_with(
            payment,
            lambda _: razorpay_provider().create_payment_link(
                reference=str(payment.pk),
                amount=to_minor(payment.amount),
                currency=payment.currency,
                description=_description(payment),
                customer=contact,
                expire_by=int(link.expires_at.timestamp()),
                callback_url=callback_url,
                notes=payment_notes(payment),
            ),
        )
    except ProviderFailure:
        cart_abandon(cart=cart)
        raise
    link.short_url = opened.provider_order.checkout_url
    link.save(update_fields=["short_url"])
    return link


def payment_link_cancel(*, payment_id, staff) -> PaymentLink:
    """Cancel an unpaid link at Razorpay (no lock held), then expire its payment (which
    lets its holds go). A link Razorpay will not cancel (paid meanwhile) is asked about and
    settled from the answer instead: 409."""
    link = PaymentLink.objects.select_related("payment").filter(payment_id=payment_id).first()
    if link is None:
        raise Missing("Payment link not found.")
    payment = link.payment
    if not payment.is_open or not payment.provider_order_id:
        raise Conflict(f"This payment link is {link.status}; it cannot be cancelled.")
    try:
        razorpay_provider().cancel_order(provider_order_id=payment.provider_order_id)
    except ProviderError as exc:
        payment_sync_with_provider(payment=payment, min_interval=timedelta(0))
        raise Conflict("Razorpay would not cancel this link: it may have been paid.") from exc
    with transaction.atomic():
        PaymentLink.objects.filter(pk=link.pk).update(
            cancelled_at=timezone.now(), cancelled_by=staff
        )
        payment_expire(payment_id=payment.pk, reason="payment link cancelled by staff")
    return PaymentLink.objects.select_related("payment").get(pk=link.pk)


@dataclass(frozen=True)
class LinkReturn:
    payment: Payment | None  # None: the return did not verify, nothing changed


def payment_link_returned(
    *, link_id: str, reference: str, status: str, provider_payment_id: str, signature: str
) -> LinkReturn:
    """The customer's browser back from Razorpay. A valid signature only says Razorpay
    sent them; the money is confirmed by asking Razorpay about the link, and then settled
    through the one fulfilment service (racing the webhook: whichever comes first builds)."""
    payment = (
        is_uuid(reference)
        and LINK_ID.fullmatch(link_id)
        and (
            Payment.objects.filter(pk=reference, provider=GATEWAY.name, provider_order_id=link_id)
            .select_related("order")
            .first()
        )
    )
    if not payment:
        return LinkReturn(payment=None)
    try:
        razorpay_provider().verify_link_callback(
            link_id=link_id,
            reference=reference,
            status=status,
            provider_payment_id=provider_payment_id,
            signature=signature,
        )
    except InvalidSignature:
        return LinkReturn(payment=None)
    if status == "paid" and not payment.fulfilled_at:
        payment = payment_sync_with_provider(payment=payment, min_interval=timedelta(0))
    return LinkReturn(payment=payment)
