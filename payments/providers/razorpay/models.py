"""Razorpay's own model: the payment links staff make (the payments app keeps its table)."""

from django.conf import settings
from django.db import models


class PaymentLinkStatus(models.TextChoices):
    CREATED = "created", "Created: waiting for the customer to pay"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled by staff"
    EXPIRED = "expired", "Expired unpaid"


class PaymentLink(models.Model):
    """A Razorpay Payment Link staff made for a customer (a booking or order taken by
    phone): its payment is an ordinary payment-first payment of a cart priced for the
    customer, whose provider order is the link (plink_…)."""

    payment = models.OneToOneField(
        "payments.Payment", on_delete=models.PROTECT, primary_key=True, related_name="link"
    )
    short_url = models.URLField(max_length=500, blank=True)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        app_label = "payments"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.payment.provider_order_id or f"Link {self.pk}"

    @property
    def link_id(self) -> str:
        return self.payment.provider_order_id or ""

    @property
    def status(self) -> str:
        """Read from its payment: what the money did is the link's state."""
        if self.payment.fulfilled_at or self.payment.captured_amount:
            return PaymentLinkStatus.PAID
        if self.cancelled_at:
            return PaymentLinkStatus.CANCELLED
        if self.payment.is_open:
            return PaymentLinkStatus.CREATED
        return PaymentLinkStatus.EXPIRED
