from django.db import models

from config.personal_data import PersonalData, personal_data


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


class SimulatedEntity(models.Model):
    """What a provider's simulator (simulators/) keeps, one entity a row: the sandbox's
    store, so every process of the site sees one provider."""

    provider = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)
    key = models.CharField(max_length=100)
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "key"], name="sandbox_entity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.key}"


personal_data(
    # The providers' stand-ins (PAYMENTS_SANDBOX only): what a provider would hold, not
    # the shop's data.
    PersonalData("sandbox.SandboxOrder", person="", not_personal=("data",)),
    PersonalData("sandbox.SimulatedEntity", person="", not_personal=("data",)),
)
