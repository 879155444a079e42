"""Razorpay's disputes (`/v1/disputes`, evidence as `/v1/documents`): read from its entity,
fetched, accepted and contested through the SDK. Mixed into the adapter."""

from collections.abc import Callable
from typing import Any

from ...gateways.base import (
    DisputeReport,
    DisputeState,
    EvidenceFile,
    MalformedWebhook,
    ProviderUnavailable,
)

DISPUTE_EVENTS = {
    "payment.dispute.created",
    "payment.dispute.under_review",
    "payment.dispute.action_required",
    "payment.dispute.won",
    "payment.dispute.lost",
    "payment.dispute.closed",
}
DISPUTE_STATES = {
    "open": DisputeState.OPEN,
    "under_review": DisputeState.UNDER_REVIEW,
    "won": DisputeState.WON,
    "lost": DisputeState.LOST,
    "closed": DisputeState.CLOSED,
}


def dispute_report(entity, *, malformed: type[Exception] = MalformedWebhook) -> DisputeReport:
    try:
        status = str(entity["status"])
        amount = int(entity["amount"])
        state = DISPUTE_STATES[status]
        deducted = int(entity.get("amount_deducted") or 0)
        return DisputeReport(
            provider_dispute_id=str(entity["id"]),
            provider_payment_id=str(entity.get("payment_id") or ""),
            state=state,
            amount=amount,
            currency=str(entity.get("currency") or "INR"),
            # A loss takes the whole amount where Razorpay does not say otherwise.
            amount_deducted=deducted or (amount if state == DisputeState.LOST else 0),
            reason=str(entity.get("reason_code") or "")[:100],
            phase=str(entity.get("phase") or "")[:30],
            respond_by=int(entity["respond_by"]) if entity.get("respond_by") else None,
            provider_status=status,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise malformed("Razorpay's dispute entity is not readable.") from exc


class RazorpayDisputes:
    """The adapter's dispute calls (it provides `_call` and `_client`)."""

    _call: Callable[..., dict]
    _client: Any

    def fetch_dispute(self, *, provider_dispute_id: str) -> DisputeReport:
        entity = self._call("fetch a dispute", self._client.dispute.fetch, provider_dispute_id)
        return dispute_report(entity, malformed=ProviderUnavailable)

    def accept_dispute(self, *, provider_dispute_id: str) -> DisputeReport:
        entity = self._call("accept a dispute", self._client.dispute.accept, provider_dispute_id)
        return dispute_report(entity, malformed=ProviderUnavailable)

    def contest_dispute(
        self, *, provider_dispute_id: str, summary: str, files: list[EvidenceFile], submit: bool
    ) -> DisputeReport:
        documents = [
            self._call(
                "upload dispute evidence",
                self._client.document.create,
                {
                    "file": (file.name, file.content, file.content_type),
                    "purpose": "dispute_evidence",
                },
            )["id"]
            for file in files
        ]
        body: dict = {"summary": summary, "action": "submit" if submit else "draft"}
        if documents:
            body["others"] = [{"type": "evidence", "document_ids": documents}]
        entity = self._call(
            "contest a dispute",
            self._client.dispute.contest,
            provider_dispute_id,
            body,
        )
        return dispute_report(entity, malformed=ProviderUnavailable)
