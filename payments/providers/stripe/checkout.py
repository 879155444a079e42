"""Order-first checkout with Stripe. The place-order service's two steps run with the
Stripe call between them, so no transaction or lock is open while Stripe is called:
1. a hidden DRAFT order and its payment (no stock taken);
2. the embedded Checkout Session, naming the order in its metadata;
3. the reservation: stock taken, the cart emptied, the order pending_payment.
If Stripe fails, the draft is discarded; if stock ran out meanwhile, the session is expired."""

import logging

from django.conf import settings
from django.db import transaction

from config.exceptions import Unfulfillable
from orders.services import order_discard_draft, order_draft_from_cart, order_reserve

from ...gateways.base import ProviderFailure
from ...gateways.registry import get_provider
from ...services.checkout import OpenedPayment, payment_for_order, payment_open_at_provider
from ...services.transitions import payment_mark_failed
from . import GATEWAY

logger = logging.getLogger(__name__)


def stripe_checkout_start(*, user, shipping_address: dict | None) -> OpenedPayment:
    with transaction.atomic():
        order = order_draft_from_cart(
            user=user, shipping_address=shipping_address or {}, billing_address={}
        )
        payment = payment_for_order(order=order, provider=GATEWAY.name)
    try:
        opened = payment_open_at_provider(
            payment=payment, return_url=f"{settings.FRONTEND_BASE_URL}/order-success/{order.pk}"
        )
    except ProviderFailure:
        order_discard_draft(order_id=order.pk)
        raise
    try:
        order_reserve(order_id=order.pk)
    except Unfulfillable:
        # Stock ran out between the pre-check and the reservation: close the session so
        # nobody pays for it, and leave the shopper's cart and orders as they were.
        payment_mark_failed(payment_id=payment.pk, reason="Out of stock at reservation.")
        order_discard_draft(order_id=order.pk)
        _expire_session(opened.provider_order.provider_order_id)
        raise
    return opened


def _expire_session(session_id: str) -> None:
    try:
        get_provider(GATEWAY.name).cancel_order(provider_order_id=session_id)
    except ProviderFailure as exc:  # it expires by itself in 24 h; a payment would be flagged
        logger.warning("Could not expire Stripe session %s: %s", session_id, exc)
