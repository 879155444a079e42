"""Disputes move through here only: provider events (verified webhooks), what the provider
answers when asked (reconciliation, staff actions), and staff recording a dispute by hand.
Each change runs under its payment's row lock (the lock refunds take too), so a dispute and
a staff refund never pass each other, and leaves a line in the dispute's history.

Deliveries repeat and arrive in any order: a report that would move a dispute backwards
(under review back to open, or from one ending to another) is not applied; the provider is
asked instead (no lock held) and its answer is."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from config.exceptions import Invalid, Missing
from config.tasks import enqueue_on_commit

from ..gateways.base import DisputeApi, DisputeReport, DisputeState, EvidenceFile
from ..gateways.registry import gateways, provider_api, supports
from ..models import (
    MONEY_RETURNED_STATUSES,
    OPEN_DISPUTE_STATUSES,
    Dispute,
    DisputeChange,
    DisputeResolution,
    DisputeStatus,
    Payment,
)
from ..money import from_minor
from ..services.batch import run_isolated
from ..services.money_back import dispute_money_settled, payment_undo_fulfilment
from .events import dispute_event

logger = logging.getLogger(__name__)

FROM_PROVIDER = {
    DisputeState.OPEN: DisputeStatus.OPEN,
    DisputeState.UNDER_REVIEW: DisputeStatus.UNDER_REVIEW,
    DisputeState.WON: DisputeStatus.WON,
    DisputeState.LOST: DisputeStatus.LOST,
    DisputeState.CLOSED: DisputeStatus.CLOSED,
}
# How far along a dispute is: an ending (any of rank 2) is never left for another one
# without asking the provider.
RANK: dict[str, int] = {
    DisputeStatus.OPEN: 0,
    DisputeStatus.UNDER_REVIEW: 1,
    DisputeStatus.WON: 2,
    DisputeStatus.LOST: 2,
    DisputeStatus.ACCEPTED: 2,
    DisputeStatus.CLOSED: 2,
}


class DisputeRefused(Invalid):
    """A staff action the dispute's state does not allow."""


@dataclass(frozen=True)
class Recorded:
    dispute: Dispute
    # The report would have moved the dispute backwards: ask the provider, then record
    # its answer with authoritative=True.
    needs_asking: bool = False


def _moves_backwards(current: str, reported: str) -> bool:
    if current == reported:
        return False
    return RANK[reported] < RANK[current] or RANK[current] == RANK[reported] == 2


def _payment_named(provider: str, provider_payment_id: str) -> Payment | None:
    if not provider_payment_id:
        return None
    return Payment.objects.filter(
        provider=provider, provider_payment_id=provider_payment_id
    ).first()


def dispute_record(
    *,
    provider: str,
    report: DisputeReport,
    what: str,
    authoritative: bool = False,
    by=None,
    staff_fields: dict | None = None,
) -> Recorded:
    """Apply one report of the provider's (an event, or its answer when asked), with what
    staff did to bring it about (`staff_fields`: who accepted or contested, and when)."""
    payment = _payment_named(provider, report.provider_payment_id)
    with transaction.atomic():
        if payment is not None:
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
        status = FROM_PROVIDER[report.state]
        dispute, created = Dispute.objects.select_for_update().get_or_create(
            provider=provider,
            provider_dispute_id=report.provider_dispute_id,
            defaults={"payment": payment, "amount": from_minor(report.amount), "status": status},
        )
        for name, value in (staff_fields or {}).items():
            setattr(dispute, name, value)
        if dispute.accepted_at and status == DisputeStatus.LOST:
            status = DisputeStatus.ACCEPTED  # the provider's word for what staff conceded
        if not created and not authoritative and _moves_backwards(dispute.status, status):
            return Recorded(dispute, needs_asking=True)
        before = None if created else dispute.status
        dispute.payment = dispute.payment or payment
        dispute.provider_payment_id = report.provider_payment_id
        dispute.amount = from_minor(report.amount)
        dispute.amount_deducted = from_minor(report.amount_deducted)
        if status in MONEY_RETURNED_STATUSES and not dispute.amount_deducted:
            dispute.amount_deducted = dispute.amount
        dispute.currency = report.currency
        dispute.reason_code = report.reason
        dispute.phase = report.phase
        dispute.status = status
        dispute.provider_status = report.provider_status
        if report.respond_by:
            dispute.respond_by = datetime.fromtimestamp(report.respond_by, tz=UTC)
        dispute.needs_attention = dispute.payment is None
        dispute.save()
        _changed(dispute, what=what, before=before, by=by)
    return Recorded(dispute)


def _changed(dispute: Dispute, *, what: str, before: str | None, by=None, note: str = "") -> None:
    """A line in its history and, when its status changed, what follows from that. The
    caller holds the payment's lock."""
    DisputeChange.objects.create(
        dispute=dispute, what=what, status=dispute.status, by=by, note=note
    )
    if before is None and dispute.is_open:
        _alert(dispute, "opened")
        dispute_event(dispute, "dispute.opened")
    elif (
        before != dispute.status
        and not dispute.is_open
        and (before is None or before in OPEN_DISPUTE_STATUSES)
    ):
        dispute_event(dispute, "dispute.closed")
    if dispute.payment is None:
        logger.warning("Dispute %s names a payment we do not know", dispute)
        return
    if before == dispute.status:
        return
    if not dispute.is_open and before not in MONEY_RETURNED_STATUSES:  # settled once
        dispute_money_settled(dispute, dispute.payment)


def _alert(dispute: Dispute, kind: str) -> None:
    enqueue_on_commit("payments.tasks.send_dispute_alert", str(dispute.pk), kind)


# ---------------------------------------------------------------- asking the provider


def dispute_sync_with_provider(*, dispute: Dispute, what: str, by=None) -> Dispute:
    """Ask the provider (no lock held) and record its answer as it is."""
    report = provider_api(dispute.provider, DisputeApi).fetch_dispute(
        provider_dispute_id=dispute.provider_dispute_id
    )
    return dispute_record(
        provider=dispute.provider, report=report, what=what, authoritative=True, by=by
    ).dispute


def disputes_reconcile() -> int:
    """Open disputes past their deadline, asked about where the provider can be asked."""
    overdue = Dispute.objects.filter(
        status__in=OPEN_DISPUTE_STATUSES,
        respond_by__lt=timezone.now(),
        provider__in=[name for name in gateways() if supports(name, DisputeApi)],
    )

    def ask(dispute: Dispute) -> str:
        dispute_sync_with_provider(dispute=dispute, what="asked: past its deadline")
        return "asked"

    return run_isolated(overdue.iterator(), ask, what="Checking dispute")["asked"]


# ---------------------------------------------------------------- staff


def _for_staff(dispute_id) -> Dispute:
    dispute = Dispute.objects.select_related("payment").filter(pk=dispute_id).first()
    if dispute is None:
        raise Missing("No such dispute.")
    if dispute.payment is None:
        raise DisputeRefused("This dispute names no payment of ours; nothing can be done here.")
    return dispute


def _locked_payment(dispute: Dispute) -> Payment:
    return Payment.objects.select_for_update().get(disputes=dispute)


def _staff_record(dispute: Dispute, *, what: str, staff, **fields) -> Dispute:
    """A staff decision recorded by hand (a provider without a dispute API)."""
    with transaction.atomic():
        _locked_payment(dispute)
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        before = dispute.status
        for name, value in fields.items():
            setattr(dispute, name, value)
        dispute.save()
        _changed(dispute, what=what, before=before, by=staff)
    return dispute


def dispute_accept(*, dispute_id, staff) -> Dispute:
    """Concede: the money goes back to the shopper. Accepting again changes nothing."""
    dispute = _for_staff(dispute_id)
    if dispute.status == DisputeStatus.ACCEPTED:
        return dispute
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeRefused(f"Only an open dispute can be accepted; this one is {dispute.status}.")
    accepted = {"accepted_by": staff, "accepted_at": timezone.now()}
    if not supports(dispute.provider, DisputeApi):
        return _staff_record(
            dispute,
            what="accepted by staff",
            staff=staff,
            status=DisputeStatus.ACCEPTED,
            amount_deducted=dispute.amount,
            **accepted,
        )
    report = provider_api(dispute.provider, DisputeApi).accept_dispute(
        provider_dispute_id=dispute.provider_dispute_id
    )
    return dispute_record(
        provider=dispute.provider,
        report=report,
        what="accepted by staff",
        authoritative=True,
        by=staff,
        staff_fields=accepted,
    ).dispute


def dispute_contest(
    *, dispute_id, staff, summary: str, files: list[EvidenceFile], submit: bool
) -> Dispute:
    """Answer the bank with a summary and evidence (a draft stays at the provider)."""
    dispute = _for_staff(dispute_id)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeRefused(
            f"Only an open dispute can be contested; this one is {dispute.status}."
        )
    if not summary.strip():
        raise DisputeRefused("Say why the payment was right: the summary is what the bank reads.")
    if submit and not files:
        raise DisputeRefused("Attach at least one evidence file to submit.")
    what = "contested by staff" if submit else "evidence drafted by staff"
    contested = {"contested_by": staff, "contested_at": timezone.now()}
    if not supports(dispute.provider, DisputeApi):
        status = DisputeStatus.UNDER_REVIEW if submit else dispute.status
        return _staff_record(dispute, what=what, staff=staff, status=status, **contested)
    report = provider_api(dispute.provider, DisputeApi).contest_dispute(
        provider_dispute_id=dispute.provider_dispute_id,
        summary=summary.strip(),
        files=files,
        submit=submit,
    )
    return dispute_record(
        provider=dispute.provider,
        report=report,
        what=what,
        authoritative=True,
        by=staff,
        staff_fields=contested,
    ).dispute


def dispute_record_outcome(*, dispute_id, staff, won: bool) -> Dispute:
    """The bank's decision, recorded by hand for a provider with no dispute API."""
    dispute = _for_staff(dispute_id)
    if supports(dispute.provider, DisputeApi):
        raise DisputeRefused(f"{dispute.provider} reports its disputes' outcomes itself.")
    if not dispute.is_open:
        raise DisputeRefused(f"This dispute ended already ({dispute.status}).")
    status = DisputeStatus.WON if won else DisputeStatus.LOST
    deducted = Decimal("0") if won else dispute.amount
    return _staff_record(
        dispute, what=f"{status.lower()} (recorded by staff)", staff=staff, status=status,
        amount_deducted=deducted,
    )  # fmt: skip


def dispute_enter_by_staff(
    *,
    payment_id,
    provider_dispute_id: str,
    amount: Decimal,
    reason_code: str,
    respond_by: datetime | None,
    staff,
) -> Dispute:
    """A dispute the provider told us of outside its API (PhonePe's dashboard or email)."""
    payment = Payment.objects.filter(pk=payment_id).first()
    captured = payment.captured_amount if payment else None
    if payment is None or captured is None:
        raise DisputeRefused("Name a payment whose money arrived.")
    if not provider_dispute_id.strip():
        raise DisputeRefused("Give the provider's id of the dispute.")
    if not Decimal("0") < amount <= captured:
        raise DisputeRefused(f"The amount must be above 0 and at most {captured}.")
    with transaction.atomic():
        Payment.objects.select_for_update().filter(pk=payment.pk).get()
        dispute, created = Dispute.objects.get_or_create(
            provider=payment.provider,
            provider_dispute_id=provider_dispute_id.strip(),
            defaults={
                "payment": payment,
                "provider_payment_id": payment.provider_payment_id or "",
                "amount": amount,
                "currency": payment.currency,
                "reason_code": reason_code.strip()[:100],
                "respond_by": respond_by,
                "status": DisputeStatus.OPEN,
            },
        )
        if not created:
            raise DisputeRefused(f"Dispute {dispute} is recorded already.")
        _changed(dispute, what="entered by staff", before=None, by=staff)
    return dispute


def _lost_and_open(dispute_id) -> Dispute:
    dispute = _for_staff(dispute_id)
    if dispute.status not in MONEY_RETURNED_STATUSES:
        raise DisputeRefused("Only a lost or accepted dispute is settled this way.")
    if dispute.resolution:
        raise DisputeRefused(f"Settled already: {dispute.get_resolution_display()}.")
    return dispute


def dispute_cancel_what_it_bought(*, dispute_id, staff) -> Dispute:
    """The bank returned the money: the order or booking is cancelled without a refund."""
    dispute = _lost_and_open(dispute_id)
    with transaction.atomic():
        payment_undo_fulfilment(_locked_payment(dispute), changed_by=staff)
        dispute = _staff_record(
            dispute,
            what="cancelled what it bought (no refund)",
            staff=staff,
            resolution=DisputeResolution.CANCELLED,
        )
    return dispute


def dispute_let_go_ahead(*, dispute_id, staff) -> Dispute:
    dispute = _lost_and_open(dispute_id)
    return _staff_record(
        dispute, what="let go ahead", staff=staff, resolution=DisputeResolution.GOES_AHEAD
    )
