"""settlement.reconciled: a settlement processed at the provider, its lines read and
matched, with its statement (what the bank got and what made it up)."""

from rest_framework import serializers

from outbound.services import event_record

from .models import Settlement, SettlementStatus
from .selectors import settlements_statement


class SettlementEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    provider_settlement_id = serializers.CharField()
    utr = serializers.CharField()
    status = serializers.ChoiceField(choices=SettlementStatus.choices)
    settled_at = serializers.DateTimeField(allow_null=True)
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    gross = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunds = serializers.DecimalField(max_digits=14, decimal_places=2)
    disputes = serializers.DecimalField(max_digits=14, decimal_places=2)
    adjustments = serializers.DecimalField(max_digits=14, decimal_places=2)
    fees = serializers.DecimalField(max_digits=14, decimal_places=2)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="GST on fees")
    net = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="of its lines")
    lines_flagged = serializers.IntegerField()


def settlement_event(settlement: Settlement) -> None:
    read = settlements_statement().get(pk=settlement.pk)
    body = {
        field: getattr(read, field)
        for field in ("provider", "provider_settlement_id", "utr", "status", "settled_at",
                      "currency", "amount", "gross", "refunds", "disputes", "adjustments",
                      "fees", "tax", "net")
    } | {"id": read.pk, "lines_flagged": read.flagged}  # fmt: skip
    event_record(type="settlement.reconciled", data=SettlementEventOutput(body).data)
