"""Thin tasks: each calls one service."""

from celery import shared_task
from django.conf import settings

from config.tasks import retry_later

from .disputes.alerts import dispute_alert_send, disputes_alert_due_soon
from .disputes.services import disputes_reconcile
from .gateways.base import ProviderUnavailable
from .services.notifications import notifications_resend_unsent
from .services.order_first import reservations_release_expired
from .services.reconciliation import payments_reconcile
from .services.refunds import refund_send, refunds_reconcile
from .webhooks import webhook_events_prune


@shared_task(bind=True, max_retries=10)
def send_refund(self, refund_id: str) -> None:
    try:
        refund_send(refund_id=refund_id)
    except ProviderUnavailable as exc:  # same idempotency key next time
        retry_later(self, exc)


@shared_task
def reconcile_payments() -> None:
    payments_reconcile(older_than_seconds=settings.RECONCILE_OLDER_THAN_SECONDS)
    refunds_reconcile()
    disputes_reconcile()
    notifications_resend_unsent()


@shared_task
def release_expired_reservations() -> None:
    reservations_release_expired()


@shared_task
def prune_webhook_events() -> None:
    webhook_events_prune()


@shared_task(bind=True, max_retries=10)
def send_dispute_alert(self, dispute_id: str, kind: str) -> None:
    try:
        dispute_alert_send(dispute_id=dispute_id, kind=kind)
    except OSError as exc:  # the mail server: the claim was released, try again
        retry_later(self, exc)


@shared_task
def alert_disputes_due_soon() -> None:
    disputes_alert_due_soon()
