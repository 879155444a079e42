"""Thin tasks: each calls one service."""

from celery import shared_task
from django.conf import settings

from config.tasks import retry_later
from payments.gateways.base import ProviderUnavailable

from .services import settlement_pull, settlements_reconcile


@shared_task(bind=True, max_retries=10)
def pull_settlement(self, provider: str, provider_settlement_id: str) -> None:
    try:
        settlement_pull(provider=provider, provider_settlement_id=provider_settlement_id)
    except ProviderUnavailable as exc:  # the daily pull finds it too
        retry_later(self, exc)


@shared_task
def reconcile_settlements() -> None:
    settlements_reconcile(lookback=settings.SETTLEMENT_LOOKBACK_DAYS)
