"""Settlements: what a provider paid out to the shop's bank (Razorpay `setl_…`, Stripe
payout `po_…`), line by line, each line matched to the payment, refund or dispute of ours it
moves, or flagged for the accountant."""

from django.db import models


class SettlementStatus(models.TextChoices):
    CREATED = "created", "Created: not paid out yet"
    PROCESSED = "processed", "Processed: the money reached the bank"
    FAILED = "failed", "Failed: the provider retries it (not final)"


class LineKind(models.TextChoices):
    PAYMENT = "payment", "Payment (credit, net of the fee)"
    REFUND = "refund", "Refund (debit)"
    DISPUTE = "dispute", "Dispute (debit, or credit when reinstated)"
    ADJUSTMENT = "adjustment", "Adjustment"
    TRANSFER = "transfer", "Transfer"
    FEE = "fee", "Fee"
    OTHER = "other", "Other"


# The provider's own lines: nothing of ours to name, so never flagged; adjustments on the
# statement.
PROVIDERS_OWN_KINDS = (LineKind.ADJUSTMENT, LineKind.TRANSFER, LineKind.FEE, LineKind.OTHER)


class LineFlag(models.TextChoices):
    NONE = "", "Matched"
    UNMATCHED = "unmatched", "Names nothing of ours"
    AMOUNT_MISMATCH = "amount_mismatch", "Its amount differs from ours"
    ON_HOLD = "on_hold", "Held by the provider"


def money() -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, default=0)


class Settlement(models.Model):
    provider = models.CharField(max_length=20)
    provider_settlement_id = models.CharField(max_length=100)
    utr = models.CharField("bank reference (UTR)", max_length=100, blank=True)
    amount = money()  # what reached the bank
    fees = money()  # the provider's fees, GST on them included
    tax = money()  # the GST on the fees (the shop's input tax credit)
    currency = models.CharField(max_length=3, default="INR")
    status = models.CharField(max_length=16, choices=SettlementStatus.choices)
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-settled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_settlement_id"], name="settlement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_settlement_id}"


class SettlementLine(models.Model):
    provider = models.CharField(max_length=20)
    # The line's id at the provider (Stripe's txn_…; Razorpay's type and entity id).
    provider_line_id = models.CharField(max_length=120)
    # What it moves, as our records name it: pay_…, rfnd_…, disp_… (Stripe pi_…, re_…, du_…).
    provider_entity_id = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    provider_settlement_id = models.CharField(max_length=100, blank=True)
    amount = money()
    credit = money()
    debit = money()
    fee = money()  # GST on it included
    tax = money()  # the GST on the fee
    on_hold = models.BooleanField(default=False)
    settled = models.BooleanField(default=False)
    settled_at = models.DateTimeField(null=True, blank=True)
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund = models.ForeignKey(
        "payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispute = models.ForeignKey(
        "payments.Dispute", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    flag = models.CharField(max_length=16, choices=LineFlag.choices, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["settlement", "pk"]
        indexes = [models.Index(fields=["provider", "provider_settlement_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_line_id"], name="settlement_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.provider_entity_id}"
