import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.personal_data import PersonalData, personal_data

from ..gateways.registry import gateway_choices


class PaymentStatus(models.TextChoices):
    """Where the money is. SUCCESS means it arrived, whether or not fulfilment could run
    (see needs_attention)."""

    INITIATED = "INITIATED", "Initiated: provider order made, no attempt reported yet"
    PENDING = "PENDING", "Pending: an attempt is under way"
    SUCCESS = "SUCCESS", "Success: the money arrived"
    FAILED = "FAILED", "Failed: no money arrived"
    EXPIRED = "EXPIRED", "Expired: never paid in time"
    REFUNDED = "REFUNDED", "Refunded"


OPEN_PAYMENT_STATUSES = (PaymentStatus.INITIATED, PaymentStatus.PENDING)
# We stopped waiting for these, but the provider may still take their money (Razorpay lets
# a shopper retry a failed order; a pay page may outlive our expiry): reconciliation keeps
# asking about them for a while.
LAPSED_PAYMENT_STATUSES = (PaymentStatus.FAILED, PaymentStatus.EXPIRED)


def new_merchant_order_id() -> str:
    return f"MO{uuid.uuid4().hex}"


class Payment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    cart = models.ForeignKey(
        "cart.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    # Order-first payments pay for an existing order; payment-first ones build it (then link).
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    cart_snapshot = models.JSONField(
        default=dict, help_text="Exactly what this payment buys; never changes after creation."
    )
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    coupon = models.ForeignKey("cart.Coupon", on_delete=models.PROTECT, null=True, blank=True)
    # The payment holds one use of its coupon from its start until it fails or expires, so
    # a race on the last use never turns a paid checkout into a refund.
    coupon_use_held = models.BooleanField(default=False)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # What the provider captured for this payment's own provider payment id: set once, when
    # the money arrives, whether or not anything could be built. The ledger is judged
    # against it, never against the price (an underpaid capture is refunded what it paid).
    captured_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    provider = models.CharField(max_length=16, choices=gateway_choices)
    provider_order_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    provider_payment_id = models.CharField(max_length=100, blank=True)
    # Our reference at every provider (Razorpay receipt, PhonePe merchantOrderId).
    merchant_order_id = models.CharField(
        max_length=63, unique=True, default=new_merchant_order_id, editable=False
    )
    checkout_url = models.URLField(max_length=500, blank=True)
    # When the stock and slots this payment held at its start stop being held (a newer
    # payment of its cart may take them over sooner); empty when it held nothing.
    held_until = models.DateTimeField(null=True, blank=True)
    # When the provider stops taking money for it (a payment link's expire_by); null: the
    # checkout is left PAYMENT_EXPIRY_SECONDS after it was made.
    payable_until = models.DateTimeField(null=True, blank=True)
    # Where the browser goes back after paying, when a frontend of ours asked (PhonePe).
    return_url = models.URLField(max_length=500, blank=True)
    # The shopper's Idempotency-Key for the request that made it: a retry of a request that
    # died expires what the dead one had started, so one key leaves one open payment.
    idempotency_key = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.INITIATED
    )
    failure_reason = models.CharField(max_length=255, blank=True)
    # Money arrived but no order/booking could be built: staff must refund or resolve.
    needs_attention = models.BooleanField(default=False, db_index=True)
    attention_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    last_status_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(fulfilled_at__isnull=True) | Q(status__in=["SUCCESS", "REFUNDED"]),
                name="payment_fulfilled_only_when_paid",
            ),
            models.CheckConstraint(
                condition=Q(captured_amount__isnull=True)
                | Q(captured_amount__gt=0, status__in=["SUCCESS", "REFUNDED"]),
                name="payment_captured_only_when_paid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["cart", "status"]),
            models.Index(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payment_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_order_id or self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PAYMENT_STATUSES


class WebhookEventStatus(models.TextChoices):
    """What became of one delivery."""

    RECEIVED = "RECEIVED", "Received: stored, not processed yet"
    PROCESSED = "PROCESSED", "Processed"
    IGNORED = "IGNORED", "Ignored: verified, but an event type or order we do not act on"
    UNCONFIRMED = (
        "UNCONFIRMED",
        "Unconfirmed: the status API did not (yet) say what it reported; a redelivery is "
        "processed again",
    )
    FAILED = "FAILED", "Failed: processing raised; a redelivery is processed again"
    REJECTED = "REJECTED", "Rejected: bad signature or malformed body"


class WebhookEvent(models.Model):
    """Every delivery, stored before it is processed, so staff can see and replay it.
    Only verified events carry an event_id (unique per provider) and their whole body."""

    provider = models.CharField(max_length=16, choices=gateway_choices)
    event_id = models.CharField(max_length=255, null=True, blank=True)
    event_type = models.CharField(max_length=100, blank=True)
    # The whole body once the signature verified; until then a short excerpt only.
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True, help_text="Without secrets.")
    signature_valid = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=WebhookEventStatus.choices, default=WebhookEventStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique"),
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id or '-'}"


class PaymentStatusChange(models.Model):
    """The payment tracker: every status change of a payment, when and why."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=PaymentStatus.choices)
    to_status = models.CharField(max_length=10, choices=PaymentStatus.choices)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.from_status} → {self.to_status}"


class RefundStatus(models.TextChoices):
    """Where money we owe back is."""

    REQUESTED = "REQUESTED", "Requested: decided; being sent to the provider or waiting on it"
    PROCESSED = "PROCESSED", "Processed: the provider returned the money"
    FAILED = "FAILED", "Failed: the provider refused; staff retry it (a new attempt) or give up"


class Refund(models.Model):
    """One attempt to give money back. Our id is the provider's idempotency key, so an
    attempt asked for twice is made once. A failed attempt is final: staff retry it as a
    new attempt (a new row, a new key, `retry_of` the failed one, for no more than is still
    left to refund) or give it up with a reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    # The provider's payment the money came in by (a second capture has its own id).
    provider_payment_id = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="INR")
    reason = models.CharField(max_length=255)
    # Made by the system for money it cannot keep (at most one per provider payment).
    automatic = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    provider_refund_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    # Set while one worker asks the provider, so two never ask at once.
    sending_since = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The failed attempt this one retries (at most one retry each: a double click retries once).
    retry_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retry"
    )
    # A failed attempt staff chose not to retry (the money went back another way), and why.
    given_up_at = models.DateTimeField(null=True, blank=True)
    given_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    given_up_reason = models.CharField(max_length=255, blank=True)
    # Never sent: a lost dispute returned this money instead (the ledger counts the dispute).
    superseded_by = models.ForeignKey(
        "payments.Dispute",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds_superseded",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0"),
            models.UniqueConstraint(
                fields=["payment", "provider_payment_id"],
                condition=Q(automatic=True, retry_of__isnull=True),
                name="one_automatic_refund_per_provider_payment",
            ),
            models.CheckConstraint(
                condition=Q(given_up_at__isnull=True)
                | (Q(status="FAILED") & ~Q(given_up_reason="")),
                name="refund_given_up_only_when_failed_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} {self.currency} of {self.provider_payment_id}"


class SecretRotation(models.Model):
    """A previous webhook secret seen verifying a delivery: when first, so an operator sees
    how long a rotation has stayed open. Keyed by the previous setting's names and a digest
    of its value, so the next rotation (another previous value) starts its own row."""

    secret = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=16)
    first_verified_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["secret", "fingerprint"], name="rotation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.secret} since {self.first_verified_at:%Y-%m-%d %H:%M}"


personal_data(
    PersonalData(
        "payments.Payment",
        person="user",
        json_fields=("shipping_address", "billing_address"),
        not_personal=("cart_snapshot",),  # what was bought and its prices
        shown=("merchant_order_id", "provider", "status", "amount", "created_at"),
    ),
    PersonalData(
        "payments.WebhookEvent",
        # The provider's whole body (the payer's email and phone in it); its id, type and
        # outcome stay. Headers are stored without secrets and name no person; the error
        # is ours.
        person="payment__user",
        fields=("body",),
        not_personal=("headers", "error"),
    ),
)
