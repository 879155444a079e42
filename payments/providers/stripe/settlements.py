"""Stripe's payouts (its settlements): the payout (`GET /v1/payouts/{id}`), the payouts that
reached the bank on a day (`GET /v1/payouts?arrival_date[...]`) and each payout's balance
transactions (`GET /v1/balance_transactions?payout=`, paged with `starting_after`, their
sources expanded so a charge names its payment intent). Mixed into the adapter."""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ...gateways.base import (
    MalformedWebhook,
    ProviderUnavailable,
    SettlementLineReport,
    SettlementReport,
    SettlementState,
)

PAGE = 100  # the most Stripe lists at once
SETTLEMENT_EVENTS = {"payout.paid", "payout.failed", "payout.reconciliation_completed"}
PAYOUT_STATES = {
    "paid": SettlementState.PROCESSED,
    "pending": SettlementState.CREATED,
    "in_transit": SettlementState.CREATED,
    "failed": SettlementState.FAILED,
    "canceled": SettlementState.FAILED,
}
# reporting_category → our line kind; the payout's own transaction is the settlement itself.
KINDS = {
    "charge": "payment",
    "refund": "refund",
    "partial_capture_reversal": "refund",
    "dispute": "dispute",
    "dispute_reversal": "dispute",
    "fee": "fee",
    "other_adjustment": "adjustment",
    "transfer": "transfer",
}
NOT_A_LINE = {"payout", "payout_reversal"}


def payout_report(payout, *, malformed: type[Exception] = ProviderUnavailable):
    try:
        trace = payout.get("trace_id") or {}
        return SettlementReport(
            provider_settlement_id=str(payout["id"]),
            state=PAYOUT_STATES.get(str(payout["status"]), SettlementState.CREATED),
            amount=int(payout["amount"]),
            currency=str(payout.get("currency") or "inr").upper(),
            utr=str((trace.get("value") if isinstance(trace, dict) else "") or ""),
            settled_at=int(payout["arrival_date"]) if payout.get("arrival_date") else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise malformed("Stripe's payout object is not readable.") from exc


def payout_id_of(payout) -> str:
    return payout_report(payout, malformed=MalformedWebhook).provider_settlement_id


def _named(source) -> str:
    """What a balance transaction moves, as we store its id: a charge by its payment
    intent (our payment's id at Stripe), a refund or dispute by its own id."""
    if isinstance(source, dict):
        return str(source.get("payment_intent") or source.get("id") or "")
    return str(source or "")


def _line(txn: dict, payout_id: str) -> SettlementLineReport:
    try:
        net = int(txn["net"])
        category = str(txn.get("reporting_category") or txn.get("type") or "")
        return SettlementLineReport(
            provider_line_id=str(txn["id"]),
            provider_entity_id=_named(txn.get("source")) or str(txn["id"]),
            kind=KINDS.get(category, "other"),
            amount=abs(int(txn["amount"])),
            credit=max(net, 0),
            debit=max(-net, 0),
            fee=int(txn.get("fee") or 0),
            tax=sum(
                int(part.get("amount") or 0)
                for part in txn.get("fee_details") or []
                if part.get("type") == "tax"
            ),
            settled=True,
            settled_at=int(txn["available_on"]) if txn.get("available_on") else None,
            provider_settlement_id=payout_id,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProviderUnavailable("Stripe's balance transaction is not readable.") from exc


class StripeSettlements:
    """The adapter's payout calls (it provides `_call` and `_client`)."""

    _call: Callable[..., Any]
    _client: Any

    def fetch_settlement(self, *, provider_settlement_id: str) -> SettlementReport:
        payout = self._call(
            "fetch a payout", self._client.v1.payouts.retrieve, provider_settlement_id
        )
        return payout_report(payout.to_dict())

    def _pages(self, action: str, method, params: dict) -> Iterator[list[dict]]:
        after = None
        while True:
            answer = self._call(
                action,
                method,
                params | {"limit": PAGE} | ({"starting_after": after} if after else {}),
            ).to_dict()
            items = answer.get("data") or []
            yield items
            if not answer.get("has_more") or not items:
                return
            after = items[-1]["id"]

    def settlement_lines(
        self, *, settlement: SettlementReport
    ) -> Iterator[list[SettlementLineReport]]:
        payout_id = settlement.provider_settlement_id
        for page in self._pages(
            "list a payout's balance transactions",
            self._client.v1.balance_transactions.list,
            {"payout": payout_id, "expand": ["data.source"]},
        ):
            yield [
                _line(txn, payout_id)
                for txn in page
                if str(txn.get("reporting_category") or txn.get("type")) not in NOT_A_LINE
            ]

    def day_settlement_lines(self, *, day: date) -> Iterator[list[SettlementLineReport]]:
        start = int(datetime.combine(day, time(), tzinfo=UTC).timestamp())
        end = start + int(timedelta(days=1).total_seconds())
        for page in self._pages(
            "list the day's payouts",
            self._client.v1.payouts.list,
            {"arrival_date": {"gte": start, "lt": end}},
        ):
            for payout in page:
                yield from self.settlement_lines(settlement=payout_report(payout))
