from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cart.models import CartItem
from cart.pricing import cart_price
from cart.services import shop_cart_get_or_create
from config.errors import ApiError, Unfulfillable

from .models import Order, OrderItem, OrderPaymentStatus, OrderStatus, OrderStatusChange
from .stock import stock_give_back, stock_take


def order_create_from_lines(
    *,
    user,
    lines: list[dict],
    status: str,
    subtotal: Decimal,
    discount_total: Decimal,
    total: Decimal,
    currency: str,
    shipping_address: dict,
    billing_address: dict,
    coupon_code: str = "",
    **order_fields,
) -> Order:
    """Create an order with its items from frozen product lines and take their stock.
    Must run inside a transaction: an Unfulfillable line rolls the whole order back."""
    order = Order.objects.create_numbered(
        user=user,
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
    for line in lines:
        name = f"{line['product_name']} ({line['variant_name']})"
        if not stock_take(variant_id=line["variant_id"], quantity=line["quantity"]):
            raise Unfulfillable(f"{name} is out of stock or no longer sold.")
        OrderItem.objects.create(
            order=order,
            product_id=line["product_id"],
            variant_id=line["variant_id"],
            product_name=line["product_name"],
            variant_name=line["variant_name"],
            unit_price=Decimal(line["unit_price"]),
            quantity=line["quantity"],
        )
    return order


def order_record_transition(
    *, order: Order, to_status: str, changed_by=None, note: str = ""
) -> None:
    OrderStatusChange.objects.create(
        order=order, from_status=order.status, to_status=to_status, changed_by=changed_by, note=note
    )
    order.status = to_status


def order_mark_paid(*, order: Order, shipping_address: dict | None = None) -> None:
    """pending_payment → payment_confirmed; the order is locked against edits. The caller
    holds the order's row lock."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Unfulfillable(f"Order {order.order_number} is {order.status}, not awaiting payment.")
    order_record_transition(order=order, to_status=OrderStatus.PAYMENT_CONFIRMED, note="paid")
    order.payment_status = OrderPaymentStatus.PAID
    order.paid_at = timezone.now()
    order.is_locked = True
    if shipping_address:
        order.shipping_address = shipping_address
    order.save()


@transaction.atomic
def order_place(*, user, shipping_address: dict, billing_address: dict) -> Order:
    """Order-first: a pending_payment order from the shop cart, stock reserved, cart emptied."""
    cart = shop_cart_get_or_create(user=user)
    priced = cart_price(cart)
    if not priced.lines:
        raise ApiError("Cart is empty.")
    try:
        with transaction.atomic():
            order = order_create_from_lines(
                user=user,
                lines=priced.lines,
                status=OrderStatus.PENDING_PAYMENT,
                subtotal=priced.subtotal,
                discount_total=priced.discount_total,
                total=priced.total,
                currency="INR",
                shipping_address=shipping_address,
                billing_address=billing_address,
            )
    except Unfulfillable as exc:
        raise ApiError(str(exc)) from exc
    CartItem.objects.filter(cart=cart).delete()
    return order


def order_release(*, order_id: int, changed_by=None, note: str) -> bool:
    """Cancel a pending_payment order and give its stock back, exactly once: False when the
    order was no longer pending (someone else released or paid it first)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != OrderStatus.PENDING_PAYMENT:
            return False
        for item in order.items.all():
            if item.variant_id:
                stock_give_back(variant_id=item.variant_id, quantity=item.quantity)
        order_record_transition(
            order=order, to_status=OrderStatus.CANCELLED, changed_by=changed_by, note=note
        )
        order.save()
    return True


def order_cancel(*, user, order_id: int) -> Order:
    order = Order.objects.filter(user=user, pk=order_id).first()
    if order is None:
        raise ApiError("Order not found.", status_code=404)
    if not order_release(order_id=order.pk, changed_by=user, note="cancelled by the shopper"):
        raise ApiError(
            f"Only an order awaiting payment can be cancelled; this one is {order.status}."
        )
    order.refresh_from_db()
    return order
