"""The payments app's models: a payment, its status changes, refunds, webhook log and
secret rotations (payment.py), disputes (dispute.py), and each provider package's own
models (Razorpay's payment links, PhonePe's access token), all under this app's label, so
their tables keep the payments_ names."""

from ..gateways.registry import gateway_modules
from .dispute import (
    MONEY_RETURNED_STATUSES,
    OPEN_DISPUTE_STATUSES,
    Dispute,
    DisputeChange,
    DisputeResolution,
    DisputeStatus,
)
from .payment import (
    LAPSED_PAYMENT_STATUSES,
    OPEN_PAYMENT_STATUSES,
    Payment,
    PaymentStatus,
    PaymentStatusChange,
    Refund,
    RefundStatus,
    SecretRotation,
    WebhookEvent,
    WebhookEventStatus,
    new_merchant_order_id,
)

gateway_modules("models")

__all__ = [
    "LAPSED_PAYMENT_STATUSES",
    "MONEY_RETURNED_STATUSES",
    "OPEN_DISPUTE_STATUSES",
    "OPEN_PAYMENT_STATUSES",
    "Dispute",
    "DisputeChange",
    "DisputeResolution",
    "DisputeStatus",
    "Payment",
    "PaymentStatus",
    "PaymentStatusChange",
    "Refund",
    "RefundStatus",
    "SecretRotation",
    "WebhookEvent",
    "WebhookEventStatus",
    "new_merchant_order_id",  # named by migration 0001
]
