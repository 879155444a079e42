"""Webhooks: store the raw delivery first (outside any processing transaction), then
verify, then process. One row per provider event id: a redelivery of a processed event is
acknowledged and changes nothing; one whose processing failed is processed again."""

import logging
import re
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.errors import ApiError

from ..models import Payment, WebhookEvent, WebhookEventStatus
from ..providers.base import (
    Charge,
    InvalidSignature,
    MalformedWebhook,
    ProviderFailure,
    WebhookNotice,
)
from ..providers.registry import get_provider
from .charges import payment_apply_charge
from .refunds import refund_apply_notice

logger = logging.getLogger(__name__)

UNVERIFIED_EXCERPT_CHARS = 1024
SECRET_HEADER = re.compile(r"authorization|signature|cookie|token|secret|api-key", re.I)


class WebhookOutcome(StrEnum):
    PROCESSED = "processed"
    REPEATED = "repeated"  # an event already handled: acknowledged, nothing changes
    UNUSABLE = "unusable"  # correctly signed, but nothing we can read: acknowledged, logged


def _reject(raw: WebhookEvent, message: str) -> None:
    raw.status = WebhookEventStatus.REJECTED
    raw.error = message
    raw.save(update_fields=["status", "error"])


def _event_row(raw: WebhookEvent, notice: WebhookNotice, body: str) -> WebhookEvent:
    """Give the raw row its event id and whole body, or fold it into the row that already
    has that event id."""
    try:
        with transaction.atomic():
            raw.event_id = notice.event_id
            raw.event_type = notice.event_type[:100]
            raw.body = body
            raw.signature_valid = True
            raw.save(update_fields=["event_id", "event_type", "body", "signature_valid"])
            return raw
    except IntegrityError:
        raw.delete()
        row = WebhookEvent.objects.get(provider=raw.provider, event_id=notice.event_id)
        WebhookEvent.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        return row


class WebhookRefused(Exception):
    """A verified event we will not act on because it names an order that is not its own."""


def _check_claims(payment: Payment | None, charge: Charge) -> None:
    """The order and user a notice names (Stripe metadata) must be the payment's own."""
    claimed_order = charge.metadata.get("order_id")
    claimed_user = charge.metadata.get("user_id")
    if payment is None:
        if claimed_order:
            raise WebhookRefused(f"Unknown order {claimed_order} in the event's metadata.")
        return
    # A draft discarded before its checkout opened leaves its payment with no order; the
    # session's own expiry still names that order and is acknowledged, not refused.
    draft_discarded = payment.order_id is None and payment.cart_id is None
    if (claimed_order and not draft_discarded and claimed_order != str(payment.order_id)) or (
        claimed_user and claimed_user != str(payment.user_id)
    ):
        raise WebhookRefused(
            "The event's metadata names an order or user that is not this payment's."
        )


def _process(provider, notice: WebhookNotice, event: WebhookEvent) -> WebhookEventStatus:
    if notice.refund is not None:
        refund = notice.refund
        if provider.webhook_needs_confirmation:  # the body is not signed: ask the provider
            refund = provider.fetch_refund(
                reference=refund.reference, provider_refund_id=refund.provider_refund_id
            )
        known = refund_apply_notice(provider_name=provider.name, result=refund)
        return WebhookEventStatus.PROCESSED if known else WebhookEventStatus.IGNORED
    charge = notice.charge
    if charge is None:
        logger.info("Ignoring %s webhook %s", provider.name, notice.event_type)
        return WebhookEventStatus.IGNORED
    payment = Payment.objects.filter(
        provider=provider.name, provider_order_id=charge.provider_order_id
    ).first()
    _check_claims(payment, charge)
    if payment is None:
        logger.warning("%s webhook for unknown order %s", provider.name, charge.provider_order_id)
        return WebhookEventStatus.IGNORED
    WebhookEvent.objects.filter(pk=event.pk).update(payment=payment)
    if provider.webhook_needs_confirmation:
        # The notice only proves the sender knows a shared secret: act on what the
        # provider's status API says, never on the body.
        reported = charge.state
        charge = provider.fetch_charge(provider_order_id=charge.provider_order_id)
        if charge.state != reported:
            payment_apply_charge(payment=payment, charge=charge)
            return WebhookEventStatus.UNCONFIRMED
    payment_apply_charge(payment=payment, charge=charge)
    return WebhookEventStatus.PROCESSED


def _safe_headers(headers) -> dict:
    """What a delivery's headers may keep in the log: no credential or signature."""
    return {
        name: str(value)[:200]
        for name, value in list(headers.items())[:50]
        if not SECRET_HEADER.search(name)
    }


def webhook_receive(*, provider_name: str, body: bytes, headers) -> WebhookOutcome:
    """Handle one delivery. The row is
    written first and on its own, so it survives whatever processing does; an unsigned
    body keeps only an excerpt, since anyone on the internet can post here."""
    text = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    raw = WebhookEvent.objects.create(
        provider=provider_name,
        body=text[:UNVERIFIED_EXCERPT_CHARS],
        headers=_safe_headers(headers),
        attempts=1,
    )
    provider = get_provider(provider_name)
    try:
        notice = provider.parse_webhook(body=body, headers=headers)
    except InvalidSignature as exc:
        _reject(raw, str(exc))
        raise ApiError(str(exc)) from exc
    except MalformedWebhook as exc:
        # Signed by the provider, so a retry would bring the same body: acknowledge it.
        logger.warning("Unusable %s webhook %s: %s", provider_name, raw.pk, exc)
        _reject(raw, str(exc))
        return WebhookOutcome.UNUSABLE
    except Exception as exc:  # a body our parsing did not foresee: refused, never a 500
        logger.error("Unreadable %s webhook %s: %s", provider_name, raw.pk, type(exc).__name__)
        _reject(raw, f"Unreadable: {type(exc).__name__}")
        raise ApiError("The webhook body could not be read.") from exc

    event = _event_row(raw, notice, text)
    if event.status in (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED):
        return WebhookOutcome.REPEATED
    status = _handle(provider, notice, event)
    if status == WebhookEventStatus.REJECTED:
        raise ApiError(event.error)
    if status in RETRY_LATER:
        # Non-2xx, so the provider delivers it again (and then it is processed again).
        raise ApiError(RETRY_LATER[status], status_code=503)
    return WebhookOutcome.PROCESSED


RETRY_LATER = {
    WebhookEventStatus.FAILED: "The event could not be processed; retry later.",
    WebhookEventStatus.UNCONFIRMED: (
        "The provider's status API does not confirm this event yet; redeliver later."
    ),
}


def _handle(provider, notice: WebhookNotice, event: WebhookEvent) -> WebhookEventStatus:
    """Process a verified event and record how it went; never raises."""
    error = ""
    try:
        status = _process(provider, notice, event)
    except WebhookRefused as exc:
        logger.warning("Refused %s webhook %s: %s", provider.name, notice.event_id, exc)
        status, error = WebhookEventStatus.REJECTED, str(exc)
    except ProviderFailure as exc:
        status, error = WebhookEventStatus.FAILED, str(exc)
    except Exception as exc:  # kept on the row for staff, and retried by the provider
        logger.error(
            "Processing %s webhook %s failed: %s",
            provider.name,
            notice.event_id,
            type(exc).__name__,
        )
        status, error = WebhookEventStatus.FAILED, f"{type(exc).__name__}: {exc}"[:1000]
    if status == WebhookEventStatus.UNCONFIRMED:
        error = "The status API does not confirm this event yet."
    _record(event, status, error)
    return status


class ReplayRefused(Exception):
    """Only a stored delivery whose signature verified can be replayed."""


def webhook_replay(*, event_pk: int) -> WebhookEventStatus:
    """Staff replay of a stored, verified delivery through the same processing; replaying
    twice changes nothing more (fulfilment and refunds are idempotent)."""
    event = WebhookEvent.objects.get(pk=event_pk)
    if not event.signature_valid:
        raise ReplayRefused("Only a delivery whose signature verified can be replayed.")
    provider = get_provider(event.provider)
    try:
        notice = provider.read_webhook(body=event.body.encode())
    except MalformedWebhook as exc:
        raise ReplayRefused(str(exc)) from exc
    WebhookEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1)
    return _handle(provider, notice, event)


def _record(event: WebhookEvent, status: WebhookEventStatus, error: str) -> None:
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=status, error=error, processed_at=timezone.now()
    )
    event.status, event.error = status, error


def webhook_events_prune() -> int:
    """Forget rejected deliveries after WEBHOOK_REJECTED_RETENTION_DAYS and settled ones
    after WEBHOOK_RETENTION_DAYS; failed and unconfirmed ones stay until settled."""
    now = timezone.now()
    rejected = WebhookEvent.objects.filter(
        status=WebhookEventStatus.REJECTED,
        received_at__lt=now - timedelta(days=settings.WEBHOOK_REJECTED_RETENTION_DAYS),
    )
    settled = WebhookEvent.objects.filter(
        status__in=[WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED],
        received_at__lt=now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS),
    )
    return rejected.delete()[0] + settled.delete()[0]
