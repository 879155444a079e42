import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from holds.slots import SLOT_TAKEN


class BookingStatus(models.TextChoices):
    """A booking exists only once paid."""

    CONFIRMED = SLOT_TAKEN, "Confirmed: paid, the slot is held"
    CANCELLED = "CANCELLED", "Cancelled: the slot is free again"
    COMPLETED = "COMPLETED", "Completed: the puja took place"


def new_book_id() -> str:
    return f"BK-{secrets.token_hex(4).upper()}"


class Booking(models.Model):
    book_id = models.CharField(max_length=11, unique=True, default=new_book_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    puja_service = models.ForeignKey(
        "catalog.PujaService", on_delete=models.PROTECT, related_name="bookings"
    )
    package = models.ForeignKey(
        "catalog.PujaPackage", on_delete=models.PROTECT, related_name="bookings"
    )
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

    # A dispute of its payment (payments writes it): null when there is none.
    dispute_status = models.CharField(max_length=16, null=True, blank=True)

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
