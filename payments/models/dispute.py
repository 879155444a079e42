"""Disputes (chargebacks): the shopper's bank taking captured money back. Each is keyed by
(provider, the provider's dispute id), moved by the provider's events and by staff through
payments/disputes/services.py, and counted by the ledger once lost or accepted."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.personal_data import PersonalData, personal_data


class DisputeStatus(models.TextChoices):
    """Where a dispute is; LOST and ACCEPTED are money returned to the shopper."""

    OPEN = "OPEN", "Open: accept or contest before the deadline"
    UNDER_REVIEW = "UNDER_REVIEW", "Under review: answered, the bank decides"
    WON = "WON", "Won: the money stays with the shop"
    LOST = "LOST", "Lost: the bank returned the money to the shopper"
    ACCEPTED = "ACCEPTED", "Accepted by staff: the money goes back to the shopper"
    CLOSED = "CLOSED", "Closed without a decision (an inquiry or a warning): nothing taken"


OPEN_DISPUTE_STATUSES = [DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW]
MONEY_RETURNED_STATUSES = [DisputeStatus.LOST, DisputeStatus.ACCEPTED]


class DisputeResolution(models.TextChoices):
    """What staff decided for a lost dispute whose order or booking was still to come."""

    CANCELLED = "cancelled", "Cancelled without a refund (the bank returned the money)"
    GOES_AHEAD = "goes_ahead", "Goes ahead all the same"


class Dispute(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(max_length=20)
    provider_dispute_id = models.CharField(max_length=100)
    # Null while it names a payment we do not know (flagged for staff, never dropped).
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    provider_payment_id = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_deducted = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="INR")
    reason_code = models.CharField(max_length=100, blank=True)
    phase = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=16, choices=DisputeStatus.choices)
    provider_status = models.CharField(max_length=40, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    needs_attention = models.BooleanField(default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    contested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contested_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=16, choices=DisputeResolution.choices, blank=True)
    opened_alert_sent_at = models.DateTimeField(null=True, blank=True)
    due_alert_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "payments"
        ordering = [models.F("respond_by").asc(nulls_last=True), "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_dispute_id"], name="dispute_unique_per_provider"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(amount_deducted__gte=0, amount_deducted__lte=models.F("amount")),
                name="dispute_deducted_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "respond_by"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_dispute_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DISPUTE_STATUSES


class DisputeChange(models.Model):
    """What happened to a dispute, in order: each provider event and each staff action."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="history")
    what = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=DisputeStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "payments"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.what} → {self.status}"


personal_data(PersonalData("payments.DisputeChange", person="", not_personal=("note",)))
