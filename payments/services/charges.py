"""Acting on what a provider says about a payment's money: one dispatch shared by
webhooks, status polls and reconciliation, all ending in the one fulfilment service."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import OPEN_PAYMENT_STATUSES, Payment, PaymentStatus
from ..providers.base import Charge, ChargeState, ProviderFailure
from ..providers.registry import get_provider, provider_enabled
from .fulfilment import payment_fulfil
from .transitions import payment_expire, payment_mark_failed, payment_move_open

logger = logging.getLogger(__name__)


def payment_apply_charge(*, payment: Payment, charge: Charge) -> None:
    if charge.state == ChargeState.PAID:
        payment_fulfil(payment_id=payment.pk, charge=charge)
    elif charge.state == ChargeState.FAILED:
        payment_mark_failed(payment_id=payment.pk, reason=charge.reason or "payment failed")
    elif charge.state == ChargeState.EXPIRED:
        payment_expire(payment_id=payment.pk, reason=charge.reason or "checkout expired")
    elif payment.status == PaymentStatus.INITIATED:
        payment_move_open(
            payment_id=payment.pk, to_status=PaymentStatus.PENDING, reason="attempt under way"
        )


def _claim_status_check(payment: Payment, min_interval: timedelta) -> bool:
    """At most one status question per payment per interval, across every process: the
    conditional UPDATE lets exactly one caller win."""
    now = timezone.now()
    due = Q(last_status_check_at__isnull=True) | Q(last_status_check_at__lte=now - min_interval)
    claimed = Payment.objects.filter(
        due, pk=payment.pk, status__in=OPEN_PAYMENT_STATUSES, provider_order_id__isnull=False
    ).update(last_status_check_at=now)
    return claimed == 1


def payment_sync_with_provider(
    *, payment: Payment, min_interval: timedelta | None = None
) -> Payment:
    """Ask the provider about an open payment (no lock held meanwhile) and complete or fail
    it from the answer. Returns the payment as it is afterwards."""
    if min_interval is None:
        min_interval = timedelta(seconds=settings.PAYMENT_STATUS_POLL_INTERVAL_SECONDS)
    # A provider switched off cannot be asked; its payments wait until it is back.
    if provider_enabled(payment.provider) and _claim_status_check(payment, min_interval):
        try:
            charge = get_provider(payment.provider).fetch_charge(
                provider_order_id=payment.provider_order_id
            )
        except ProviderFailure as exc:
            logger.warning("Status of payment %s unavailable: %s", payment.pk, exc)
        else:
            payment_apply_charge(payment=payment, charge=charge)
    payment.refresh_from_db()
    return payment
