"""Acting on what a provider says about a payment's money: one dispatch shared by
webhooks, status polls and reconciliation, all ending in the one fulfilment service."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..gateways.base import Charge, ChargeState, ProviderDisabled, ProviderFailure
from ..gateways.registry import get_provider, provider_enabled
from ..models import LAPSED_PAYMENT_STATUSES, OPEN_PAYMENT_STATUSES, Payment, PaymentStatus
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
    conditional UPDATE lets exactly one caller win. Open and lapsed payments are asked
    about; a settled one never again."""
    now = timezone.now()
    due = Q(last_status_check_at__isnull=True) | Q(last_status_check_at__lte=now - min_interval)
    claimed = Payment.objects.filter(
        due,
        pk=payment.pk,
        status__in=OPEN_PAYMENT_STATUSES + LAPSED_PAYMENT_STATUSES,
        provider_order_id__isnull=False,
    ).update(last_status_check_at=now)
    return claimed == 1


def payment_sync_with_provider(
    *, payment: Payment, min_interval: timedelta | None = None
) -> Payment:
    """Ask the provider about an open or lapsed payment (no lock held meanwhile) and
    complete or fail it from the answer (a success after a lapse goes through fulfilment's
    lapsed rule). Returns the payment as it is afterwards."""
    if min_interval is None:
        min_interval = timedelta(seconds=settings.PAYMENT_STATUS_POLL_INTERVAL_SECONDS)
    # A provider switched off cannot be asked; its payments wait until it is back.
    order_id = payment.provider_order_id  # None: never opened at its provider, nothing to ask
    if (
        order_id
        and provider_enabled(payment.provider)
        and _claim_status_check(payment, min_interval)
    ):
        try:
            charge = get_provider(payment.provider).fetch_charge(provider_order_id=order_id)
        except ProviderFailure as exc:
            logger.warning("Status of payment %s unavailable: %s", payment.pk, exc)
        else:
            payment_apply_charge(payment=payment, charge=charge)
    payment.refresh_from_db()
    return payment


def payment_current(payment: Payment) -> Payment:
    """The payment as its provider now says, when it is still open (asked at most once
    every PAYMENT_STATUS_POLL_INTERVAL seconds): a lost webhook still completes it when
    the frontend polls."""
    return payment_sync_with_provider(payment=payment) if payment.is_open else payment


def payment_close(*, payment: Payment, reason: str, ask_first: bool = True) -> bool:
    """Expire an open payment after closing its checkout at the provider where the
    provider allows it (Stripe), so nobody pays it afterwards; a success that still
    arrives is judged by fulfilment's lapsed rule. False when the provider could not be
    reached (nothing changed: try again later)."""
    if order_id := payment.provider_order_id:
        if ask_first:  # it may have been paid meanwhile
            payment = payment_sync_with_provider(payment=payment, min_interval=timedelta(0))
            if not payment.is_open:
                return True
        try:
            get_provider(payment.provider).cancel_order(provider_order_id=order_id)
        except (ProviderFailure, ProviderDisabled) as exc:
            logger.warning("Could not close payment %s at its provider: %s", payment.pk, exc)
            return False
    payment_expire(payment_id=payment.pk, reason=reason)
    return True
