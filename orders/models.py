from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from config.personal_data import PersonalData, personal_data
from config.secret_tokens import manage_key_new


class OrderStatus(models.TextChoices):
    """Where an order is in its life."""

    DRAFT = "draft", "Draft: hidden while its checkout opens at the provider"
    PENDING_PAYMENT = "pending_payment", "Pending payment (order-first: stock reserved)"
    PAYMENT_CONFIRMED = "payment_confirmed", "Payment confirmed"
    AWAITING_SHIPMENT = "awaiting_shipment", "Awaiting shipment"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled (stock released)"
    REFUNDED = "refunded", "Refunded"


class OrderPaymentStatus(models.TextChoices):
    """Whether the money for an order has arrived."""

    PENDING = "pending", "Pending: not paid yet"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed: the payment failed and the order was released"
    EXPIRED = "expired", "Expired: not paid in time, or cancelled before it was paid"
    REFUNDED = "refunded", "Refunded"


def _disputes_of(order) -> QuerySet:
    """The disputes of an order's payments, last changed first. Payments owns disputes and
    stands above orders: its model is named, not imported."""
    disputes = apps.get_model("payments", "Dispute").objects
    return disputes.filter(payment__order=order).order_by("-updated_at")


class OrderQuerySet(models.QuerySet):
    def with_dispute_status(self) -> "OrderQuerySet":
        """Each order with its payment's dispute status, read in the same query."""
        latest = _disputes_of(OuterRef("pk")).values("status")[:1]
        return self.annotate(dispute_status_read=Subquery(latest))

    def create_numbered(self, **fields) -> "Order":
        """Create an order and give it its number, `YYYYMMDD` + the row id (at least four
        digits). The id comes from the database's own sequence, so no hot counter row is
        locked by every checkout."""
        with transaction.atomic(savepoint=False):  # one unit with the caller's, if any
            order = self.create(**fields)
            order.order_number = f"{timezone.localdate():%Y%m%d}{order.pk:04d}"
            order.save(update_fields=["order_number"])
        return order


class Order(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    order_number = models.CharField(max_length=32, unique=True, null=True, editable=False)
    # The manage link's key (config.secret_tokens): whoever holds the signed link may see,
    # cancel and fetch the documents of this one purchase without signing in. Null only on
    # a row the release before this one wrote (given a key when first needed).
    manage_key = models.CharField(
        max_length=32, unique=True, null=True, default=manage_key_new, editable=False
    )
    status = models.CharField(max_length=32, choices=OrderStatus.choices, db_index=True)
    payment_status = models.CharField(
        max_length=16, choices=OrderPaymentStatus.choices, default=OrderPaymentStatus.PENDING
    )
    currency = models.CharField(max_length=3, default="INR")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2)
    coupon_code = models.CharField(max_length=50, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    # The address the shopper gave at the provider (Stripe Checkout), kept beside theirs.
    provider_shipping_address = models.JSONField(default=dict, blank=True)
    # Once paid, items and addresses are frozen (API and admin).
    is_locked = models.BooleanField(default=False)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Claimed before the receipt goes out, so racing workers send it once.
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # No longer written or read (dispute_status is read from the dispute): the column stays
    # one release so that a rolled-back image still finds it; dropped in the next.
    dispute_status_copied = models.CharField(
        max_length=16, null=True, blank=True, db_column="dispute_status", editable=False
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(condition=Q(discount_total__gte=0), name="order_discount_gte_0"),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return self.order_number or f"Order {self.pk}"

    @property
    def dispute_status(self) -> str | None:
        """Its payment's dispute (OPEN, WON, LOST…; the last changed), None when there is
        none: read from the dispute itself, never copied (one query unless the queryset
        read it: OrderQuerySet.with_dispute_status)."""
        if hasattr(self, "dispute_status_read"):
            return self.dispute_status_read
        return _disputes_of(self.pk).values_list("status", flat=True).first()


class OrderItem(models.Model):
    """A line frozen at purchase time: names and prices are copies, so a later catalog
    change or deletion never rewrites what was sold."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.SET_NULL, null=True, blank=True)
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.SET_NULL, null=True, blank=True
    )
    product_name = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=100, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderitem_qty_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderStatusChange(models.Model):
    """Audit trail: every status transition with its time and, for staff actions, who."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=OrderStatus.choices)
    to_status = models.CharField(max_length=32, choices=OrderStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order}: {self.from_status} → {self.to_status}"


personal_data(
    PersonalData(
        "orders.Order",
        person="user",
        json_fields=("shipping_address", "billing_address", "provider_shipping_address"),
        shown=("order_number", "status", "total", "created_at"),
    ),
    # Staff's notes on a status change ("cancelled by the shopper"): the shop's, not the
    # person's; staff write no personal data there.
    PersonalData("orders.OrderStatusChange", person="order__user", not_personal=("note",)),
)
