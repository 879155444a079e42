import secrets
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery

from config.personal_data import PersonalData, personal_data
from config.secret_tokens import manage_key_new
from holds.slots import SLOT_TAKEN


class BookingStatus(models.TextChoices):
    """A booking exists only once paid."""

    CONFIRMED = SLOT_TAKEN, "Confirmed: paid, the slot is held"
    CANCELLED = "CANCELLED", "Cancelled: the slot is free again"
    COMPLETED = "COMPLETED", "Completed: the puja took place"


def new_book_id() -> str:
    return f"BK-{secrets.token_hex(4).upper()}"


def _disputes_of(payment) -> QuerySet:
    """The disputes of a booking's payment, last changed first. Payments owns disputes and
    stands above bookings: its model is named, not imported."""
    disputes = apps.get_model("payments", "Dispute").objects
    return disputes.filter(payment=payment).order_by("-updated_at")


class BookingQuerySet(models.QuerySet):
    def with_dispute_status(self) -> "BookingQuerySet":
        """Each booking with its payment's dispute status, read in the same query."""
        latest = _disputes_of(OuterRef("payment")).values("status")[:1]
        return self.annotate(dispute_status_read=Subquery(latest))


class Booking(models.Model):
    book_id = models.CharField(max_length=11, unique=True, default=new_book_id, editable=False)
    # The manage link's key (config.secret_tokens): whoever holds the signed link may see,
    # cancel and fetch the documents of this one purchase without signing in. Null only on
    # a row the release before this one wrote (given a key when first needed).
    manage_key = models.CharField(
        max_length=32, unique=True, null=True, default=manage_key_new, editable=False
    )
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
    # The package's cancellation policy when it was paid (a later change leaves it).
    cancel_until_hours = models.PositiveIntegerField(default=24)
    cancel_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    # What the shop kept of the price when the devotee cancelled (the rest was refunded).
    cancel_fee_kept = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    # Claimed before the confirmation goes out, so racing workers send it once.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # No longer written or read (dispute_status is read from the dispute): the column stays
    # one release so that a rolled-back image still finds it; dropped in the next.
    dispute_status_copied = models.CharField(
        max_length=16, null=True, blank=True, db_column="dispute_status", editable=False
    )

    objects = BookingQuerySet.as_manager()

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

    @property
    def dispute_status(self) -> str | None:
        """Its payment's dispute (OPEN, WON, LOST…; the last changed), None when there is
        none: read from the dispute itself, never copied (one query unless the queryset
        read it: BookingQuerySet.with_dispute_status)."""
        if hasattr(self, "dispute_status_read"):
            return self.dispute_status_read
        if self.payment_id is None:
            return None
        return _disputes_of(self.payment_id).values_list("status", flat=True).first()


personal_data(
    # Nothing in a booking names a person but its owner; shown in their export.
    PersonalData(
        "bookings.Booking",
        person="user",
        shown=("book_id", "selected_date", "selected_time", "status", "total_amount"),
    ),
)
