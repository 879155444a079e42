"""Staff are emailed once when a dispute opens and once when its deadline is near
(DISPUTE_DUE_SOON_HOURS): an unanswered dispute is lost by default."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from config.emails import send_once

from ..models import Dispute, DisputeStatus

CLAIMS = {"opened": "opened_alert_sent_at", "due": "due_alert_sent_at"}


def due_soon_before():
    return timezone.now() + timedelta(hours=settings.DISPUTE_DUE_SOON_HOURS)


def dispute_alert_send(*, dispute_id, kind: str) -> bool:
    """False when it went out already (or nobody is to be told)."""
    dispute = Dispute.objects.select_related("payment").get(pk=dispute_id)
    if not settings.DISPUTE_ALERT_EMAILS:
        return False
    deadline = f"{dispute.respond_by:%Y-%m-%d %H:%M %Z}" if dispute.respond_by else "not given"
    opening = "A dispute was opened" if kind == "opened" else "A dispute is due soon"
    body = (
        f"{opening}: {dispute.provider} {dispute.provider_dispute_id}, "
        f"{dispute.amount} {dispute.currency} of payment {dispute.payment_id or 'unknown'}.\n"
        f"Reason: {dispute.reason_code or 'not given'}. Answer by: {deadline}.\n"
        "Accept or contest it in admin (Payments › Disputes); unanswered, it is lost."
    )
    return send_once(
        dispute,
        CLAIMS[kind],
        subject=f"[paycart] {opening}: {dispute.amount} {dispute.currency}",
        body=body,
        to=settings.DISPUTE_ALERT_EMAILS,
    )


def disputes_due_soon():
    return Dispute.objects.filter(status=DisputeStatus.OPEN, respond_by__lte=due_soon_before())


def disputes_alert_due_soon() -> int:
    """The open disputes whose deadline is near and who were not told of it yet."""
    sent = 0
    for dispute in disputes_due_soon().filter(due_alert_sent_at__isnull=True):
        sent += dispute_alert_send(dispute_id=dispute.pk, kind="due")
    return sent
