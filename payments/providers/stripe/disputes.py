"""Stripe's disputes (`/v1/disputes`, evidence as `/v1/files`): read from its object,
fetched, conceded (closed) and answered through the SDK. Mixed into the adapter."""

import io
from collections.abc import Callable
from typing import Any

from ...gateways.base import (
    DisputeReport,
    DisputeState,
    EvidenceFile,
    MalformedWebhook,
    ProviderError,
    ProviderUnavailable,
)

DISPUTE_EVENTS = {
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
}
EVIDENCE_FILE_SLOTS = (
    "uncategorized_file",
    "service_documentation",
    "shipping_documentation",
    "customer_communication",
    "receipt",
)
DISPUTE_STATES = {
    "warning_needs_response": DisputeState.OPEN,
    "needs_response": DisputeState.OPEN,
    "warning_under_review": DisputeState.UNDER_REVIEW,
    "under_review": DisputeState.UNDER_REVIEW,
    "won": DisputeState.WON,
    "lost": DisputeState.LOST,
    "warning_closed": DisputeState.CLOSED,
}


def dispute_report(dispute, *, malformed: type[Exception] = MalformedWebhook) -> DisputeReport:
    try:
        status = str(dispute["status"])
        state = DISPUTE_STATES[status]
        amount = int(dispute["amount"])
        due_by = (dispute.get("evidence_details") or {}).get("due_by")
        return DisputeReport(
            provider_dispute_id=str(dispute["id"]),
            provider_payment_id=str(dispute.get("payment_intent") or ""),
            state=state,
            amount=amount,
            currency=str(dispute.get("currency") or "inr").upper(),
            amount_deducted=amount if state == DisputeState.LOST else 0,
            reason=str(dispute.get("reason") or "")[:100],
            respond_by=int(due_by) if due_by else None,
            provider_status=status,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise malformed("Stripe's dispute object is not readable.") from exc


def _named(file: EvidenceFile) -> io.BytesIO:
    """The file as the SDK's multipart encoder reads one: a stream with a name."""
    stream = io.BytesIO(file.content)
    stream.name = file.name
    return stream


class StripeDisputes:
    """The adapter's dispute calls (it provides `_call` and `_client`)."""

    _call: Callable[..., Any]
    _client: Any

    def fetch_dispute(self, *, provider_dispute_id: str) -> DisputeReport:
        dispute = self._call(
            "fetch a dispute", self._client.v1.disputes.retrieve, provider_dispute_id
        )
        return dispute_report(dispute.to_dict(), malformed=ProviderUnavailable)

    def accept_dispute(self, *, provider_dispute_id: str) -> DisputeReport:
        dispute = self._call(
            "accept a dispute", self._client.v1.disputes.close, provider_dispute_id
        )
        return dispute_report(dispute.to_dict(), malformed=ProviderUnavailable)

    def contest_dispute(
        self, *, provider_dispute_id: str, summary: str, files: list[EvidenceFile], submit: bool
    ) -> DisputeReport:
        if len(files) > len(EVIDENCE_FILE_SLOTS):
            raise ProviderError(f"Stripe takes at most {len(EVIDENCE_FILE_SLOTS)} evidence files.")
        uploaded = [
            self._call(
                "upload dispute evidence",
                self._client.v1.files.create,
                {"file": _named(file), "purpose": "dispute_evidence"},
            ).id
            for file in files
        ]
        # Stripe's evidence names a slot per file: the files fill them in order.
        evidence: dict = {"uncategorized_text": summary} | dict(
            zip(EVIDENCE_FILE_SLOTS, uploaded, strict=False)
        )
        dispute = self._call(
            "contest a dispute",
            self._client.v1.disputes.update,
            provider_dispute_id,
            {"evidence": evidence, "submit": submit},
        )
        return dispute_report(dispute.to_dict(), malformed=ProviderUnavailable)
