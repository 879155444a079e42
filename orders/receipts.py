from config.emails import attachments_for, send_once, tax_document_note
from config.secret_tokens import manage_url

from .models import Order


def receipt_send(*, order_id: int) -> bool:
    """The paid order's receipt, once."""
    order = Order.objects.select_related("user").prefetch_related("items").get(pk=order_id)
    lines = "\n".join(
        f"  {item.quantity} x {item.product_name} ({item.variant_name}) @ {item.unit_price}"
        for item in order.items.all()
    )
    return send_once(
        order,
        "receipt_sent_at",
        subject=f"Your paycart order {order.order_number}",
        body=(
            f"Thank you for your order {order.order_number}.\n\n{lines}\n\n"
            f"Total paid: {order.total} {order.currency}\n{tax_document_note()}\n"
            f"See, cancel or download this order any time: {manage_url(order)}\n"
        ),
        to=order.user.reach_email,
        attachments=attachments_for("order", order),
    )


def order_cancellation_send(*, order_id: int) -> bool:
    """The cancelled order's notice, once."""
    order = Order.objects.select_related("user").get(pk=order_id)
    return send_once(
        order,
        "cancellation_sent_at",
        subject=f"Your paycart order {order.order_number} is cancelled",
        body=(
            f"Your order {order.order_number} is cancelled.\n\n"
            "What is refunded goes back the way you paid; banks take a few working days to "
            f"show it. The order and its documents: {manage_url(order)}\n"
        ),
        to=order.user.reach_email,
    )
