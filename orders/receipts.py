import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Order

logger = logging.getLogger(__name__)


def _send_receipt(order_id: int) -> None:
    order = Order.objects.select_related("user").prefetch_related("items").get(pk=order_id)
    lines = "\n".join(
        f"  {item.quantity} x {item.product_name} ({item.variant_name}) @ {item.unit_price}"
        for item in order.items.all()
    )
    body = (
        f"Thank you for your order {order.order_number}.\n\n{lines}\n\n"
        f"Total paid: {order.total} {order.currency}\n"
    )
    try:
        send_mail(
            f"Your paycart order {order.order_number}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [order.user.email],
        )
    except Exception:  # a mail outage must not undo or fail a paid order
        logger.exception("Receipt email for order %s could not be sent", order.order_number)


def send_receipt_on_commit(*, order_id: int) -> None:
    """Send the receipt once the paying transaction has committed. The caller runs this
    only on the transition to paid, so a replayed webhook sends nothing."""
    transaction.on_commit(lambda: _send_receipt(order_id))
