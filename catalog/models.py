"""What the shop sells: products (stock lives on their variants) and puja services
(their packages, and each date and time as a slot row that whoever books or holds it
locks). The tables keep the names they had in orders and bookings, where these models
lived before this app existed."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from config.personal_data import PersonalData, personal_data


class Product(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="Display price; variants carry their own."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # GST: the goods' HSN code and rate (percent: data, never a fixed list); prices include it.
    hsn_code = models.CharField("HSN code", max_length=8, blank=True)
    gst_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("18.00"))

    class Meta:
        db_table = "orders_product"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(
                condition=Q(gst_rate__gte=0, gst_rate__lte=100), name="product_gst_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductVariant(models.Model):
    """What a shopper actually buys: every product has at least one variant, and stock
    lives here only."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=100)
    sku = models.CharField(max_length=64, unique=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "orders_productvariant"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_gte_0"),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} – {self.name}"


class PujaService(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # How many bookings one date and time takes, confirmed and held together.
    slot_capacity = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "bookings_pujaservice"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(slot_capacity__gte=1), name="service_capacity_gte_1")
        ]

    def __str__(self) -> str:
        return self.name


class PujaPackage(models.Model):
    service = models.ForeignKey(PujaService, on_delete=models.CASCADE, related_name="packages")
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    duration_minutes = models.PositiveIntegerField()
    # GST: conducting a religious ceremony is exempt (a bill of supply) unless staff say not.
    sac_code = models.CharField("SAC code", max_length=8, default="999591")
    gst_exempt = models.BooleanField(default=True)
    gst_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("18.00"))
    # The devotee may cancel until this many hours before the slot, and the shop keeps this
    # share of the price; fixed on each booking when it is paid.
    cancel_until_hours = models.PositiveIntegerField(default=24)
    cancel_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))

    class Meta:
        db_table = "bookings_pujapackage"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="package_price_gt_0"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="package_duration_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(cancel_fee_percent__gte=0, cancel_fee_percent__lte=100),
                name="package_cancel_fee_percent_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.name} – {self.name}"


class BookingSlot(models.Model):
    """One date and time of one puja service. Every booking and every hold of the slot locks
    this row first, so they take turns and the slot never takes more than its capacity."""

    puja_service = models.ForeignKey(PujaService, on_delete=models.CASCADE, related_name="slots")
    selected_date = models.DateField()
    selected_time = models.TimeField()

    class Meta:
        db_table = "bookings_bookingslot"
        constraints = [
            models.UniqueConstraint(
                fields=["puja_service", "selected_date", "selected_time"], name="slot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.puja_service_id} {self.selected_date} {self.selected_time:%H:%M}"


personal_data(
    PersonalData("catalog.Product", person="", not_personal=("description",)),
    PersonalData("catalog.PujaService", person="", not_personal=("description",)),
)
