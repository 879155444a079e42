"""settlement.reconciled: a settlement processed at the provider, its lines read and
matched, with its statement (what the bank got and what made it up). Its type and payload
are declared here (registered at ready())."""

from typing_extensions import TypedDict

from outbound.registry import EventType, Moment, Money
from outbound.services import event_record

from .models import Settlement
from .selectors import settlements_statement


class SettlementPayload(TypedDict):
    id: int
    provider: str
    provider_settlement_id: str
    utr: str
    status: str
    settled_at: Moment | None
    currency: str
    amount: Money
    gross: Money
    refunds: Money
    disputes: Money
    adjustments: Money
    fees: Money
    tax: Money  # GST on fees
    net: Money  # of its lines
    lines_flagged: int


EVENT_TYPES = [
    EventType(
        "settlement.reconciled",
        SettlementPayload,
        "A provider's settlement reached the bank and its lines were matched.",
    )
]


def settlement_event(settlement: Settlement) -> None:
    read = settlements_statement().get(pk=settlement.pk)
    payload: SettlementPayload = {
        "id": read.pk, "provider": read.provider,
        "provider_settlement_id": read.provider_settlement_id, "utr": read.utr,
        "status": read.status, "settled_at": read.settled_at, "currency": read.currency,
        "amount": read.amount, "gross": read.gross, "refunds": read.refunds,
        "disputes": read.disputes, "adjustments": read.adjustments, "fees": read.fees,
        "tax": read.tax, "net": read.net, "lines_flagged": read.flagged,
    }  # fmt: skip
    event_record(type="settlement.reconciled", data=dict(payload))
