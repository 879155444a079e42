"""Webhooks, the one inbound path of every provider's deliveries, above the charge, refund
and dispute services it hands each notice to: store the raw delivery first (outside any processing transaction), then
verify, then process. One row per provider event id: a redelivery of a processed event is
acknowledged and changes nothing; one whose processing failed is processed again."""

import hashlib
import logging
import re
from datetime import timedelta
from enum import StrEnum

import structlog
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from config.exceptions import Invalid, RetryLater

from .disputes.services import dispute_record
from .gateways.base import (
    Charge,
    DisputeApi,
    DisputeReport,
    InvalidSignature,
    MalformedWebhook,
    ProviderFailure,
    WebhookNotice,
)
from .gateways.registry import get_provider, provider_api
from .models import Payment, WebhookEvent, WebhookEventStatus
from .observe import webhook_delivery
from .rotations import rotation_used
from .services.charges import payment_apply_charge
from .services.refunds import (
    refund_check_with_provider,
    refund_named_by,
    refund_record,
    refunds_awaiting_news,
)
from .signals import settlement_announced

logger = logging.getLogger(__name__)

UNVERIFIED_EXCERPT_CHARS = 1024
SECRET_HEADER = re.compile(r"authorization|signature|cookie|token|secret|api-key", re.I)
# What an event id may be as stored; any other (too long, odd bytes) is stored by its hash,
# which dedupes redeliveries just as well.
STORABLE_EVENT_ID = re.compile(r"[\x21-\x7e]{1,200}")


def storable_event_id(event_id: str) -> str:
    if STORABLE_EVENT_ID.fullmatch(event_id):
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()


def _text(value, limit: int) -> str:
    """Text as PostgreSQL can store it: no NUL, at most `limit` characters."""
    return str(value).replace("\x00", "\ufffd")[:limit]


class WebhookOutcome(StrEnum):
    PROCESSED = "processed"
    REPEATED = "repeated"  # an event already handled: acknowledged, nothing changes
    UNUSABLE = "unusable"  # correctly signed, but nothing we can read: acknowledged, logged


# One statement stores a verified delivery, or counts a redelivery on the row its event id
# already has, and says which (Django's upsert can neither increment nor return the row).
UPSERT_EVENT = """
INSERT INTO payments_webhookevent (provider, event_id, event_type, body, headers,
    signature_valid, status, error, attempts, received_at)
VALUES (%s, %s, %s, %s, %s, TRUE, %s, '', 1, %s)
ON CONFLICT (provider, event_id)
    DO UPDATE SET attempts = payments_webhookevent.attempts + 1
RETURNING id, status, attempts, payment_id
"""


def _stored_event(
    provider_name: str, notice: WebhookNotice, body: str, headers: dict
) -> WebhookEvent:
    """The verified delivery's row, written on its own before any processing."""
    event_id = storable_event_id(notice.event_id)
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT_EVENT,
            [
                provider_name,
                event_id,
                _text(notice.event_type, 100),
                body,
                connection.ops.adapt_json_value(headers, None),
                WebhookEventStatus.RECEIVED,
                timezone.now(),
            ],
        )
        pk, status, attempts, payment_id = cursor.fetchone()
    return WebhookEvent(
        pk=pk,
        provider=provider_name,
        event_id=event_id,
        status=status,
        attempts=attempts,
        payment_id=payment_id,
    )


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


def _dispute(
    provider, report: DisputeReport, event_type: str, event: WebhookEvent
) -> WebhookEventStatus:
    recorded = dispute_record(provider=provider.name, report=report, what=event_type)
    if recorded.needs_asking:  # out of order: the provider's own word decides
        disputes = provider_api(provider.name, DisputeApi)
        report = disputes.fetch_dispute(provider_dispute_id=report.provider_dispute_id)
        recorded = dispute_record(
            provider=provider.name,
            report=report,
            what=f"{event_type} (out of order: asked {provider.name})",
            authoritative=True,
        )
    event.payment_id = recorded.dispute.payment_id
    return WebhookEventStatus.PROCESSED


def _process(provider, notice: WebhookNotice, event: WebhookEvent) -> WebhookEventStatus:
    if notice.settlement_id:  # read back from the provider by the settlements app
        heard = settlement_announced.send(
            sender=WebhookEvent, provider=provider.name, provider_settlement_id=notice.settlement_id
        )
        return WebhookEventStatus.PROCESSED if heard else WebhookEventStatus.IGNORED
    if notice.dispute is not None:
        return _dispute(provider, notice.dispute, notice.event_type, event)
    if notice.refunded_payment_id:
        waiting = refunds_awaiting_news(
            provider_name=provider.name, provider_payment_id=notice.refunded_payment_id
        )
        checked = [refund_check_with_provider(refund) for refund in waiting]
        return WebhookEventStatus.PROCESSED if checked else WebhookEventStatus.IGNORED
    if notice.refund is not None:
        refund = refund_named_by(provider_name=provider.name, result=notice.refund)
        if refund is None:
            return WebhookEventStatus.IGNORED  # not a refund of ours
        result = notice.refund
        if provider.webhook_needs_confirmation:  # the body is not signed: ask the provider
            result = provider.fetch_refund(
                reference=str(refund.pk),
                provider_refund_id=refund.provider_refund_id or result.provider_refund_id,
            )
        refund_record(refund_id=refund.pk, result=result)
        return WebhookEventStatus.PROCESSED
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
    event.payment_id = payment.pk  # recorded with the outcome, in one write
    structlog.contextvars.bind_contextvars(payment_id=str(payment.pk))
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
        _text(name, 100): _text(value, 200)
        for name, value in list(headers.items())[:50]
        if not SECRET_HEADER.search(name)
    }


def _rejected(
    provider_name: str, text: str, headers: dict, error: str, *, signed: bool = False
) -> WebhookEvent:
    return WebhookEvent.objects.create(
        provider=provider_name,
        signature_valid=signed,
        body=text[:UNVERIFIED_EXCERPT_CHARS],
        headers=headers,
        status=WebhookEventStatus.REJECTED,
        error=_text(error, 1000),
        attempts=1,
    )


def webhook_receive(*, provider_name: str, body: bytes, headers) -> WebhookOutcome:
    """Handle one delivery. Its row is written first and on its own, so it survives
    whatever processing does; a body whose signature did not verify keeps only an excerpt,
    since anyone on the internet can post here."""
    with webhook_delivery(provider_name) as outcome:
        text = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        safe_headers = _safe_headers(headers)
        provider = get_provider(provider_name)
        try:
            notice = provider.parse_webhook(body=body, headers=headers)
        except InvalidSignature as exc:
            outcome["value"] = "invalid_signature"
            _rejected(provider_name, text, safe_headers, str(exc))
            raise Invalid(str(exc)) from exc
        except MalformedWebhook as exc:
            # Signed by the provider, so a retry would bring the same body: acknowledge it.
            row = _rejected(provider_name, text, safe_headers, str(exc), signed=True)
            logger.warning("Unusable %s webhook %s: %s", provider_name, row.pk, exc)
            outcome["value"] = WebhookOutcome.UNUSABLE.value
            return WebhookOutcome.UNUSABLE
        except Exception as exc:  # a body our parsing did not foresee: refused, never a 500
            row = _rejected(provider_name, text, safe_headers, f"Unreadable: {type(exc).__name__}")
            logger.error("Unreadable %s webhook %s: %s", provider_name, row.pk, type(exc).__name__)
            raise Invalid("The webhook body could not be read.") from exc

        structlog.contextvars.bind_contextvars(
            event_id=notice.event_id, event_type=notice.event_type
        )
        event = _stored_event(provider_name, notice, text, safe_headers)
        if notice.signed_with_previous:
            rotation_used(provider_name=provider_name)
        if event.status in (WebhookEventStatus.PROCESSED, WebhookEventStatus.IGNORED):
            outcome["value"] = WebhookOutcome.REPEATED.value
            return WebhookOutcome.REPEATED
        status = _handle(provider, notice, event)
        outcome["value"] = status.lower()
        if status == WebhookEventStatus.REJECTED:
            raise Invalid(event.error)
        if status in RETRY_LATER:
            # Non-2xx, so the provider delivers it again (and then it is processed again).
            raise RetryLater(RETRY_LATER[status])
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


class ReplayRefused(Invalid):
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
        status=status,
        error=_text(error, 1000),
        processed_at=timezone.now(),
        payment_id=event.payment_id,
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
