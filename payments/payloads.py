"""A payment as the REST API answers it (PaymentOrderOutput renders it), for the status
endpoints and for the payment.failed event alike."""

from .models import Payment, Refund
from .money import to_minor


def latest_refund(payment: Payment) -> Refund | None:
    """The refund status endpoints show: the latest one."""
    return payment.refunds.order_by("-created_at").first()


def payment_order_body(payment: Payment) -> dict:
    """A payment as its order-status answer shows it (the PhonePe endpoints' shape, which
    its frontends read; `phonepe_payment_url` is the provider's pay page): the values
    PaymentOrderOutput renders."""
    return {
        "id": payment.pk,
        "merchant_order_id": payment.merchant_order_id,
        "amount": to_minor(payment.amount),
        "amount_in_rupees": str(payment.amount),
        "currency": payment.currency,
        "cart_id": payment.cart_snapshot.get("cart_id"),
        "status": payment.status,
        "needs_attention": payment.needs_attention,
        "refund": latest_refund(payment),
        "phonepe_payment_url": payment.checkout_url,
        "held_until": payment.held_until,
        "order_number": payment.order.order_number if payment.order_id else None,
        "booking_ids": [booking.book_id for booking in payment.bookings.order_by("id")],
        "created_at": payment.created_at,
        "completed_at": payment.completed_at,
    }
