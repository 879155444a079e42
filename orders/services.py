from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cart.lines import ProductLine, product_lines
from cart.pricing import cart_price, check_payable
from cart.services import cart_remove_units, cart_restore_lines, shop_cart_get_or_create
from config.exceptions import Invalid, Unfulfillable
from config.tasks import enqueue_on_commit
from holds.stock import refuse_shortage, stock_check_lines, stock_give_back, stock_take

from .events import order_event
from .models import Order, OrderItem, OrderPaymentStatus, OrderStatus, OrderStatusChange
from .tasks import send_order_cancellation

# Staff-driven lifecycle after payment: no skipping, no going back.
STAFF_TRANSITIONS = {
    OrderStatus.PAYMENT_CONFIRMED: OrderStatus.AWAITING_SHIPMENT,
    OrderStatus.AWAITING_SHIPMENT: OrderStatus.SHIPPED,
    OrderStatus.SHIPPED: OrderStatus.DELIVERED,
}


@dataclass(frozen=True)
class CreatedOrder:
    order: Order
    items: list[OrderItem]


def order_create_from_lines(
    *,
    user_id: int,
    lines: list[ProductLine],
    status: str,
    subtotal: Decimal,
    discount_total: Decimal,
    total: Decimal,
    currency: str,
    shipping_address: dict,
    billing_address: dict,
    coupon_code: str = "",
    **order_fields,
) -> CreatedOrder:
    """Create an order with its items from frozen product lines (no stock is taken)."""
    order = Order.objects.create_numbered(
        user_id=user_id,
        status=status,
        subtotal=subtotal,
        discount_total=discount_total,
        total=total,
        currency=currency,
        shipping_address=shipping_address,
        billing_address=billing_address,
        coupon_code=coupon_code,
        **order_fields,
    )
    items = OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            product_id=line["product_id"],
            variant_id=line["variant_id"],
            product_name=line["product_name"],
            variant_name=line["variant_name"],
            unit_price=Decimal(line["unit_price"]),
            quantity=line["quantity"],
        )
        for line in lines
    )
    return CreatedOrder(order=order, items=items)


def _item_quantities(items) -> Counter:
    quantities: Counter = Counter()
    for item in items:
        quantities[item.variant_id] += item.quantity
    return quantities


def order_take_stock(*, items) -> None:
    """Take the stock of every item (order items, or objects with the same fields), or
    none of it: Unfulfillable (HeldElsewhere when other checkouts hold it) names a short
    item. Must run inside a transaction."""
    items = list(items)
    gone = [item for item in items if item.variant_id is None]
    if gone:
        raise Unfulfillable(
            f"{gone[0].product_name} ({gone[0].variant_name}) is out of stock or no longer sold."
        )
    if short := stock_take(_item_quantities(items)):
        item = next(item for item in items if item.variant_id == short[0].variant_id)
        refuse_shortage(short[0], f"{item.product_name} ({item.variant_name})")


def order_record_transition(
    *, order: Order, to_status: str, changed_by=None, note: str = ""
) -> None:
    OrderStatusChange.objects.create(
        order=order, from_status=order.status, to_status=to_status, changed_by=changed_by, note=note
    )
    order.status = to_status


def order_mark_paid(*, order: Order, shipping_address: dict | None = None) -> None:
    """pending_payment → payment_confirmed; the order is locked against edits. A success
    that arrives after the order was cancelled revives it only if its stock can be taken
    again. The caller holds the order's row lock."""
    if order.status == OrderStatus.CANCELLED:
        order_take_stock(items=order.items.all())
    elif order.status != OrderStatus.PENDING_PAYMENT:
        raise Unfulfillable(f"Order {order.order_number} is {order.status}, not awaiting payment.")
    order_record_transition(order=order, to_status=OrderStatus.PAYMENT_CONFIRMED, note="paid")
    order.payment_status = OrderPaymentStatus.PAID
    order.paid_at = timezone.now()
    order.is_locked = True
    if shipping_address:
        # Never in place of what the shopper posted: beside it, and standing in only
        # where the shopper gave no address.
        order.provider_shipping_address = shipping_address
        order.shipping_address = order.shipping_address or shipping_address
        order.billing_address = order.billing_address or order.shipping_address
    order.save()
    order_event(order, "order.paid")


# ---------------------------------------------------------------- order-first placing
@transaction.atomic
def order_draft_from_cart(*, user, shipping_address: dict, billing_address: dict) -> Order:
    """A hidden DRAFT order from the shop cart: items copied, no stock taken yet."""
    cart = shop_cart_get_or_create(user=user)
    priced = cart_price(cart)
    if not priced.lines:
        raise Invalid("Cart is empty.")
    check_payable(priced.total)
    stock_check_lines(priced.lines, priced.stock)
    return order_create_from_lines(
        user_id=user.pk,
        lines=product_lines(priced.lines),
        status=OrderStatus.DRAFT,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        total=priced.total,
        currency="INR",
        shipping_address=shipping_address,
        billing_address=billing_address or shipping_address,
    ).order


@transaction.atomic
def order_reserve(*, order_id: int) -> Order:
    """DRAFT → pending_payment: take the stock and remove the ordered lines from the shop
    cart. A short item is refused naming it (Unfulfillable, or HeldElsewhere when other
    checkouts hold it), and nothing changes."""
    order = Order.objects.select_for_update().get(pk=order_id, status=OrderStatus.DRAFT)
    with transaction.atomic():
        order_take_stock(items=order.items.all())
    cart = shop_cart_get_or_create(user=order.user)
    cart_remove_units(cart=cart, units=_item_quantities(order.items.all()))
    order_record_transition(order=order, to_status=OrderStatus.PENDING_PAYMENT, note="reserved")
    order.save()
    return order


def order_discard_draft(*, order_id: int) -> None:
    """Forget a draft whose checkout never opened: the shopper never saw it."""
    with transaction.atomic():
        order = Order.objects.filter(pk=order_id, status=OrderStatus.DRAFT).first()
        if order is not None:
            order.payments.update(order=None)
            order.delete()


@transaction.atomic
def order_place(*, user, shipping_address: dict, billing_address: dict) -> Order:
    """Order-first: a pending_payment order from the shop cart, stock reserved, the cart
    emptied of what was ordered. Stripe's checkout runs the same two steps with the
    provider call between them."""
    draft = order_draft_from_cart(
        user=user, shipping_address=shipping_address, billing_address=billing_address
    )
    return order_reserve(order_id=draft.pk)


# ---------------------------------------------------------------- releasing and lifecycle
def order_release(
    *,
    order_id: int,
    changed_by=None,
    note: str,
    payment_status: str = OrderPaymentStatus.EXPIRED,
) -> bool:
    """Cancel a pending_payment order, give its stock back and its lines back to the
    shopper's cart (as a failed payment-first checkout leaves the cart), exactly once:
    False when the order was no longer pending (someone else released or paid it first)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != OrderStatus.PENDING_PAYMENT:
            return False
        items = [item for item in order.items.all() if item.variant_id]
        stock_give_back(_item_quantities(items))
        cart_restore_lines(
            cart=shop_cart_get_or_create(user=order.user),
            quantities=_item_quantities(items),
        )
        order_record_transition(
            order=order, to_status=OrderStatus.CANCELLED, changed_by=changed_by, note=note
        )
        order.payment_status = payment_status
        order.save()
        order_event(order, "order.cancelled")
    return True


def order_advance(*, order_id: int, to_status: str, changed_by) -> Order:
    """A staff step along the shipping lifecycle, refused unless the table allows it."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if STAFF_TRANSITIONS.get(order.status) != to_status:
            raise Invalid(
                f"Order {order.order_number} cannot go from {order.status} to {to_status}."
            )
        order_record_transition(order=order, to_status=to_status, changed_by=changed_by)
        order.save()
        order_event(order, "order.status_changed")
    return order


# Refunded before it left the warehouse: its stock goes back on the shelf.
UNSHIPPED = (OrderStatus.PAYMENT_CONFIRMED, OrderStatus.AWAITING_SHIPMENT)


def order_cancel_paid(*, order: Order, changed_by) -> None:
    """A paid order not yet shipped, cancelled by its owner: its stock back on the shelf.
    The caller holds its row lock, and refunds it."""
    stock_give_back(_item_quantities(i for i in order.items.all() if i.variant_id))
    order_record_transition(
        order=order, to_status=OrderStatus.CANCELLED, changed_by=changed_by,
        note="cancelled by the shopper",
    )  # fmt: skip
    order.save()
    order_event(order, "order.cancelled")
    enqueue_on_commit(send_order_cancellation, order.pk)


def order_mark_refunded(*, order: Order, changed_by) -> None:
    """A paid order whose money went back in full. The caller holds its row lock."""
    if order.status == OrderStatus.REFUNDED:
        return
    if order.status in UNSHIPPED:
        stock_give_back(_item_quantities(i for i in order.items.all() if i.variant_id))
    order_record_transition(
        order=order, to_status=OrderStatus.REFUNDED, changed_by=changed_by, note="refunded"
    )
    order.payment_status = OrderPaymentStatus.REFUNDED
    order.save()
    order_event(order, "order.refunded")
