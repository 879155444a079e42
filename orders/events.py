"""Orders' outbound events: their types and payload, declared here (registered at ready())
and written in the transaction of the change. The payload is the order as its REST answer
shows it, less what a receiver does not need (the address the provider collected, the
lock flag)."""

from typing_extensions import TypedDict

from outbound.registry import EventType, Moment, Money
from outbound.services import event_record

from .models import Order, OrderItem


class AddressPayload(TypedDict, total=False):
    first_name: str
    last_name: str
    address_line_1: str
    address_line_2: str
    city: str
    state: str
    postal_code: str
    country: str  # ISO 3166 code
    phone: str
    gstin: str  # a registered buyer's, on the billing address


class OrderItemPayload(TypedDict):
    id: int
    product: int | None  # null: the product was removed from the catalog since
    variant: int | None
    product_name: str
    variant_name: str
    unit_price: Money
    quantity: int
    line_total: Money


class OrderPayload(TypedDict):
    id: int
    order_number: str | None  # null only while an order is being numbered
    status: str
    payment_status: str
    currency: str
    subtotal: Money
    discount_total: Money
    total: Money
    coupon_code: str
    shipping_address: AddressPayload | None
    billing_address: AddressPayload | None
    items: list[OrderItemPayload]
    paid_at: Moment | None
    created_at: Moment
    updated_at: Moment
    dispute_status: str | None  # its payment's dispute (OPEN, WON, LOST…); null: none


EVENT_TYPES = [
    EventType("order.paid", OrderPayload, "An order was paid for: ship it."),
    EventType("order.cancelled", OrderPayload, "An order was cancelled before it shipped."),
    EventType("order.refunded", OrderPayload, "An order's money went back in full."),
    EventType("order.status_changed", OrderPayload, "An order moved on (shipped, delivered)."),
]


def _item(item: OrderItem) -> OrderItemPayload:
    return {
        "id": item.pk, "product": item.product_id, "variant": item.variant_id,
        "product_name": item.product_name, "variant_name": item.variant_name,
        "unit_price": item.unit_price, "quantity": item.quantity, "line_total": item.line_total,
    }  # fmt: skip


def _payload(order: Order, items: list[OrderItem], dispute_status: str | None) -> OrderPayload:
    return {
        "id": order.pk, "order_number": order.order_number, "status": order.status,
        "payment_status": order.payment_status, "currency": order.currency,
        "subtotal": order.subtotal, "discount_total": order.discount_total,
        "total": order.total, "coupon_code": order.coupon_code,
        "shipping_address": order.shipping_address or None,
        "billing_address": order.billing_address or None,
        "items": [_item(item) for item in items], "paid_at": order.paid_at,
        "created_at": order.created_at, "updated_at": order.updated_at,
        "dispute_status": dispute_status,
    }  # fmt: skip


def order_event(order: Order, type: str, *, items: list[OrderItem] | None = None) -> None:
    """`items`: the order's items in hand (just made), so none is read again; a just-made
    order has no dispute either (no payment names it yet)."""
    if items is None:
        payload = _payload(order, list(order.items.all()), order.dispute_status)
    else:
        payload = _payload(order, items, None)
    event_record(type=type, data=dict(payload), person_id=order.user_id)
