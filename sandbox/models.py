from django.db import models


class SandboxOrder(models.Model):
    """One provider-side order (Razorpay order, PhonePe order, Stripe Checkout Session)
    as the sandbox provider keeps it."""

    provider = models.CharField(max_length=16)
    external_id = models.CharField(max_length=100)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="sandbox_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.external_id} {self.status}"
