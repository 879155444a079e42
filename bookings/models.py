import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


class PujaService(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # How many bookings one date and time takes, confirmed and held together.
    slot_capacity = models.PositiveIntegerField(default=1)

    class Meta:
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

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="package_price_gt_0"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="package_duration_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.name} – {self.name}"


class BookingStatus(models.TextChoices):
    """A booking exists only once paid."""

    CONFIRMED = "CONFIRMED", "Confirmed: paid, the slot is held"
    CANCELLED = "CANCELLED", "Cancelled: the slot is free again"
    COMPLETED = "COMPLETED", "Completed: the puja took place"


def new_book_id() -> str:
    return f"BK-{secrets.token_hex(4).upper()}"


class Booking(models.Model):
    book_id = models.CharField(max_length=11, unique=True, default=new_book_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    puja_service = models.ForeignKey(PujaService, on_delete=models.PROTECT, related_name="bookings")
    package = models.ForeignKey(PujaPackage, on_delete=models.PROTECT, related_name="bookings")
    selected_date = models.DateField()
    selected_time = models.TimeField()
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    total_amount = models.DecimalField(max_digits=10, decimal_places=2)
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    # Claimed before the confirmation goes out, so racing workers send it once.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="booking_total_gte_0"),
        ]
        indexes = [
            models.Index(fields=["puja_service", "selected_date", "selected_time", "status"])
        ]

    def __str__(self) -> str:
        return self.book_id


class BookingSlot(models.Model):
    """One date and time of one puja service. Every booking and every hold of the slot locks
    this row first, so they take turns and the slot never takes more than its capacity."""

    puja_service = models.ForeignKey(PujaService, on_delete=models.CASCADE, related_name="slots")
    selected_date = models.DateField()
    selected_time = models.TimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["puja_service", "selected_date", "selected_time"], name="slot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.puja_service_id} {self.selected_date} {self.selected_time:%H:%M}"
