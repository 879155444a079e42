"""Razorpay's settlements: the settlement itself (`GET /v1/settlements/{id}`) and the
recon of a day (`GET /v1/settlements/recon/combined`, paged by `count` and `skip`), every
payment, refund, dispute and adjustment line settled that day. Mixed into the adapter."""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ...gateways.base import (
    MalformedWebhook,
    ProviderUnavailable,
    SettlementLineReport,
    SettlementReport,
    SettlementState,
)

PAGE = 1000  # the most Razorpay answers at once
KINDS = {"payment", "refund", "dispute", "adjustment", "transfer"}
SETTLEMENT_EVENTS = {"settlement.processed"}
# Razorpay's settlement days are India's.
RAZORPAY_DAYS = ZoneInfo("Asia/Kolkata")


def _line(item: dict) -> SettlementLineReport:
    try:
        kind = str(item["type"])
        return SettlementLineReport(
            provider_line_id=f"{kind}:{item['entity_id']}",
            provider_entity_id=str(item["entity_id"]),
            kind=kind if kind in KINDS else "other",
            amount=int(item.get("amount") or 0),
            credit=int(item.get("credit") or 0),
            debit=int(item.get("debit") or 0),
            fee=int(item.get("fee") or 0),
            tax=int(item.get("tax") or 0),
            on_hold=bool(item.get("on_hold")),
            settled=bool(item.get("settled")),
            settled_at=int(item["settled_at"]) if item.get("settled_at") else None,
            provider_settlement_id=str(item.get("settlement_id") or ""),
            utr=str(item.get("settlement_utr") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderUnavailable("Razorpay's settlement recon line is not readable.") from exc


def settlement_report(entity, *, malformed: type[Exception] = ProviderUnavailable):
    try:
        return SettlementReport(
            provider_settlement_id=str(entity["id"]),
            state=SettlementState(str(entity["status"])),
            amount=int(entity["amount"]),
            currency=str(entity.get("currency") or "INR"),
            utr=str(entity.get("utr") or ""),
            fees=int(entity.get("fees") or 0),
            tax=int(entity.get("tax") or 0),
            settled_at=int(entity["created_at"]) if entity.get("created_at") else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise malformed("Razorpay's settlement entity is not readable.") from exc


def settlement_id_of(payload: dict) -> str:
    """The settlement a `settlement.processed` event names (its body is not trusted further:
    the settlement is read back from the API)."""
    return settlement_report(
        (payload.get("settlement") or {}).get("entity"), malformed=MalformedWebhook
    ).provider_settlement_id


class RazorpaySettlements:
    """The adapter's settlement calls (it provides `_call` and `_client`)."""

    _call: Callable[..., dict]
    _client: Any

    def fetch_settlement(self, *, provider_settlement_id: str) -> SettlementReport:
        return settlement_report(
            self._call("fetch a settlement", self._client.settlement.fetch, provider_settlement_id)
        )

    def day_settlement_lines(self, *, day: date) -> Iterator[list[SettlementLineReport]]:
        skip = 0
        while True:
            answer = self._call(
                "read settlement recon",
                self._client.settlement.report,
                {"year": day.year, "month": day.month, "day": day.day, "count": PAGE, "skip": skip},
            )
            items = answer.get("items") or []
            yield [_line(item) for item in items]
            if len(items) < PAGE:
                return
            skip += PAGE

    def settlement_lines(
        self, *, settlement: SettlementReport
    ) -> Iterator[list[SettlementLineReport]]:
        """Its day's recon, the lines it paid out (Razorpay has no recon by settlement)."""
        if settlement.settled_at is None:
            return
        day = datetime.fromtimestamp(settlement.settled_at, tz=UTC).astimezone(RAZORPAY_DAYS)
        for page in self.day_settlement_lines(day=day.date()):
            yield [
                line
                for line in page
                if line.provider_settlement_id == settlement.provider_settlement_id
            ]
