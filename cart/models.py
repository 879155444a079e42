from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class CartKind(models.TextChoices):
    """What a cart buys."""

    SHOP = "SHOP", "Shop: product lines"
    BOOKING = "BOOKING", "Booking: one puja slot"
    LINK = "LINK", "Payment link: product lines staff priced for a customer"


class CartStatus(models.TextChoices):
    """A shop cart stays ACTIVE for life; a booking or link cart becomes CONVERTED once
    paid."""

    ACTIVE = "ACTIVE", "Active"
    CONVERTED = "CONVERTED", "Converted: paid for"
    ABANDONED = "ABANDONED", "Abandoned: removed by its owner"


class Cart(models.Model):
    cart_id = models.CharField(max_length=64, unique=True, null=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carts"
    )
    kind = models.CharField(max_length=8, choices=CartKind.choices, default=CartKind.SHOP)
    status = models.CharField(max_length=10, choices=CartStatus.choices, default=CartStatus.ACTIVE)
    # Booking carts only.
    service_type = models.CharField(max_length=16, blank=True)
    puja_service = models.ForeignKey(
        "catalog.PujaService", on_delete=models.PROTECT, null=True, blank=True
    )
    package = models.ForeignKey(
        "catalog.PujaPackage", on_delete=models.PROTECT, null=True, blank=True
    )
    selected_date = models.DateField(null=True, blank=True)
    selected_time = models.TimeField(null=True, blank=True)
    promo_code = models.CharField(max_length=50, blank=True)
    # A payment link's cart (booking or products): only the link's own payment pays it and
    # takes or gives back its holds; the customer's cart endpoints neither list nor accept it.
    for_payment_link = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind="SHOP", status="ACTIVE"),
                name="cart_one_active_shop_cart_per_user",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["SHOP", "LINK"])
                | Q(
                    package__isnull=False,
                    puja_service__isnull=False,
                    selected_date__isnull=False,
                    selected_time__isnull=False,
                ),
                name="cart_booking_has_slot",
            ),
        ]
        indexes = [models.Index(fields=["user", "kind", "status"])]

    def __str__(self) -> str:
        return self.cart_id or f"Cart {self.pk}"

    @property
    def is_booking(self) -> bool:
        return self.kind == CartKind.BOOKING

    @property
    def ends_when_paid(self) -> bool:
        """A booking cart or a payment link's cart is done once paid; a shop cart lives on
        with whatever was added since."""
        return self.kind != CartKind.SHOP


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cartitem_unique_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cartitem_qty_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant}"

    @property
    def line_total(self) -> Decimal:
        return self.variant.price * self.quantity


class CouponKind(models.TextChoices):
    """How a coupon takes money off the subtotal."""

    PERCENT = "PERCENT", "Percent off"
    FIXED = "FIXED", "Fixed amount off"


class Coupon(models.Model):
    code = models.CharField(max_length=50, unique=True, help_text="Matched case-insensitively.")
    kind = models.CharField(max_length=8, choices=CouponKind.choices)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    is_active = models.BooleanField(default=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    times_used = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="coupon_value_gt_0"),
            models.CheckConstraint(
                condition=~Q(kind="PERCENT") | Q(value__lte=100), name="coupon_percent_lte_100"
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=models.F("usage_limit")),
                name="coupon_used_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)
