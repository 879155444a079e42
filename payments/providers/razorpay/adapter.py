"""Razorpay adapter around the official SDK (Orders API, checkout and webhook signatures)."""

import dataclasses
import importlib.metadata
import json
import logging

import razorpay
import requests
from razorpay.errors import BadRequestError, SignatureVerificationError

from ...gateways.base import (
    Charge,
    ChargeState,
    DisputeApi,
    InvalidSignature,
    MalformedWebhook,
    PaymentProvider,
    ProviderError,
    ProviderOrder,
    ProviderUnavailable,
    RefundResult,
    RefundState,
    SettlementApi,
    WebhookNotice,
    verify_delivery,
)
from .disputes import DISPUTE_EVENTS, RazorpayDisputes, dispute_report
from .settlements import SETTLEMENT_EVENTS, RazorpaySettlements, settlement_id_of

logger = logging.getLogger(__name__)

PAID_EVENTS = {"payment.captured", "order.paid"}
FAILED_EVENTS = {"payment.failed"}
LINK_PAID_EVENT = "payment_link.paid"
LINK_ENDED_EVENTS = {"payment_link.expired", "payment_link.cancelled"}
# A payment link stands where an order stands for a checkout: its id is the payment's
# provider order id, and what Razorpay says of the link is what it says of the money.
LINK_PREFIX = "plink_"
LINK_ENDED_STATUSES = {"expired", "cancelled"}
REFUND_EVENTS = {"refund.processed", "refund.failed", "refund.created"}
REFUND_STATES = {
    "pending": RefundState.PENDING,
    "created": RefundState.PENDING,
    "processed": RefundState.PROCESSED,
    "failed": RefundState.FAILED,
}


class _KeyRefused(Exception):
    """Razorpay answered 401 or 403: our key is wrong or revoked."""


def _refuse_on_bad_key(response, *args, **kwargs):
    """The SDK turns any error body it does not know into ServerError; a refused key must
    stay a refusal (no retry helps until someone changes the key), whatever the body."""
    if response.status_code in (401, 403):
        try:
            said = str(response.json()["error"]["description"])[:200]
        except (ValueError, KeyError, TypeError):
            said = ""
        raise _KeyRefused(f"HTTP {response.status_code} {said}".strip())


class _Client(razorpay.Client):
    """The SDK reads its own version from the package metadata on disk on every call (for
    its User-Agent header); once per process is enough."""

    version = importlib.metadata.version("razorpay")

    def _get_version(self) -> str:
        return self.version


class RazorpayProvider(RazorpayDisputes, RazorpaySettlements):
    name = "razorpay"
    webhook_needs_confirmation = False
    # One order may be paid twice (a retry racing the first capture): the second capture is
    # money in that nothing is built for, refunded by its own payment id.
    repeat_captures = True

    def __init__(
        self,
        *,
        key_id: str,
        key_secret: str,
        webhook_secret: str,
        base_url: str,
        timeout: float,
        previous_webhook_secret: str = "",
    ):
        self.key_id = key_id
        self._key_secret = key_secret
        session = requests.Session()
        session.hooks["response"].append(_refuse_on_bad_key)
        self._client = _Client(session=session, auth=(key_id, key_secret), base_url=base_url)
        self._webhook_secret = webhook_secret
        self._previous_webhook_secret = previous_webhook_secret
        self._timeout = timeout

    def _call(self, action: str, method, *args, **kwargs) -> dict:
        try:
            answer = method(*args, timeout=self._timeout, **kwargs)
        except BadRequestError as exc:
            raise ProviderError(f"Razorpay refused to {action}: {exc}") from exc
        except _KeyRefused as exc:
            raise ProviderError(f"Razorpay refused our key ({action}): {exc}") from exc
        except requests.RequestException as exc:
            raise ProviderUnavailable(
                f"Razorpay unreachable ({action}): {type(exc).__name__}"
            ) from exc
        except Exception as exc:  # the SDK raises bare errors on malformed answers
            raise ProviderUnavailable(f"Razorpay failed ({action}): {type(exc).__name__}") from exc
        if not isinstance(answer, dict):
            raise ProviderUnavailable(f"Razorpay answered {action} with a non-object")
        return answer

    def create_order(
        self,
        *,
        reference: str,
        amount: int,
        currency: str,
        notes: dict,
        return_url: str = "",
        expires_in: int | None = None,
    ) -> ProviderOrder:
        """Razorpay orders do not expire (Checkout's own `timeout` option, which the
        checkout answer gives the frontend, ends the pay form instead)."""
        order = self._call(
            "create an order",
            self._client.order.create,
            {"amount": amount, "currency": currency, "receipt": reference[:40], "notes": notes},
        )
        order_id = order.get("id")
        if not isinstance(order_id, str) or not order_id.startswith("order_"):
            raise ProviderUnavailable("Razorpay answered order create without an order id")
        if order.get("amount") != amount or order.get("currency") != currency:
            raise ProviderError("Razorpay created an order for a different amount or currency")
        return ProviderOrder(provider_order_id=order_id, amount=amount, currency=currency)

    def verify_checkout_signature(
        self, *, provider_order_id: str, provider_payment_id: str, signature: str
    ) -> None:
        """Checkout's signature binds our stored order id to the payment id (SDK check)."""
        if not self._key_secret:
            raise InvalidSignature("No Razorpay key secret is configured: nothing verifies.")
        try:
            self._client.utility.verify_payment_signature(
                {
                    "razorpay_order_id": provider_order_id,
                    "razorpay_payment_id": provider_payment_id,
                    "razorpay_signature": signature,
                }
            )
        except (SignatureVerificationError, TypeError) as exc:
            raise InvalidSignature("Razorpay payment signature does not verify.") from exc

    def fetch_charge(self, *, provider_order_id: str) -> Charge:
        if provider_order_id.startswith(LINK_PREFIX):
            link = self._call(
                "fetch a payment link", self._client.payment_link.fetch, provider_order_id
            )
            return _charge_from_link(link, malformed=ProviderUnavailable)
        payments = self._call(
            "list an order's payments", self._client.order.payments, provider_order_id
        )
        items = payments.get("items")
        if not isinstance(items, list) or not all(isinstance(p, dict) for p in items):
            raise ProviderUnavailable("Razorpay answered an order's payments without a list")
        captured = [p for p in items if p.get("status") == "captured"]
        if captured:
            return _charge_from_payment(captured[0], malformed=ProviderUnavailable)
        return Charge(state=ChargeState.PENDING, provider_order_id=provider_order_id)

    def fetch_payment(self, *, provider_payment_id: str) -> Charge:
        """What Razorpay says of one payment (checkout's signature alone proves no capture)."""
        entity = self._call("fetch a payment", self._client.payment.fetch, provider_payment_id)
        return _charge_from_payment(entity, malformed=ProviderUnavailable)

    def capture_payment(self, *, provider_payment_id: str, amount: int, currency: str) -> Charge:
        """Capture an authorised payment for exactly the amount we asked."""
        entity = self._call(
            "capture a payment",
            self._client.payment.capture,
            provider_payment_id,
            amount,
            {"currency": currency},
        )
        return _charge_from_payment(entity, malformed=ProviderUnavailable)

    def cancel_order(self, *, provider_order_id: str) -> None:
        """A payment link is cancelled (Razorpay refuses once it is paid); Razorpay has no
        call to cancel an order: an unpaid one simply stays unpaid."""
        if provider_order_id.startswith(LINK_PREFIX):
            self._call("cancel a payment link", self._client.payment_link.cancel, provider_order_id)

    def create_payment_link(
        self,
        *,
        reference: str,
        amount: int,
        currency: str,
        description: str,
        customer: dict,
        expire_by: int,
        callback_url: str,
        notes: dict,
    ) -> ProviderOrder:
        """A Payment Link for one payment (`reference`: our payment id, which Razorpay keeps
        unique), paid at its short URL until `expire_by` (Unix seconds); Razorpay texts
        and emails it to the customer."""
        link = self._call(
            "create a payment link",
            self._client.payment_link.create,
            {
                "amount": amount,
                "currency": currency,
                "accept_partial": False,
                "reference_id": reference,
                "description": description[:2048],
                "customer": customer,
                "notify": {"sms": True, "email": True},
                "reminder_enable": True,
                "expire_by": expire_by,
                "notes": notes,
                "callback_url": callback_url,
                "callback_method": "get",
            },
        )
        link_id, short_url = link.get("id"), link.get("short_url")
        if not isinstance(link_id, str) or not link_id.startswith(LINK_PREFIX):
            raise ProviderUnavailable("Razorpay answered link create without a link id")
        if not isinstance(short_url, str) or not short_url.startswith(("https://", "http://")):
            raise ProviderUnavailable("Razorpay answered link create without a short URL")
        if link.get("amount") != amount or link.get("currency") != currency:
            raise ProviderError("Razorpay created a link for a different amount or currency")
        return ProviderOrder(
            provider_order_id=link_id, amount=amount, currency=currency, checkout_url=short_url
        )

    def verify_link_callback(
        self, *, link_id: str, reference: str, status: str, provider_payment_id: str, signature: str
    ) -> None:
        """The browser's return from a paid link is signed with the key secret (SDK check)."""
        if not self._key_secret:
            raise InvalidSignature("No Razorpay key secret is configured: nothing verifies.")
        try:
            valid = self._client.utility.verify_payment_link_signature(
                {
                    "payment_link_id": link_id,
                    "payment_link_reference_id": reference,
                    "payment_link_status": status,
                    "razorpay_payment_id": provider_payment_id,
                    "razorpay_signature": signature,
                }
            )
        except (SignatureVerificationError, TypeError) as exc:
            raise InvalidSignature("Razorpay payment link signature does not verify.") from exc
        if not valid:
            raise InvalidSignature("Razorpay payment link signature does not verify.")

    def refund(
        self,
        *,
        reference: str,
        provider_order_id: str,
        provider_payment_id: str,
        amount: int,
        currency: str,
    ) -> RefundResult:
        if not provider_payment_id:
            raise ProviderError("Razorpay refunds need the payment id (pay_…)")
        entity = self._call(
            "refund a payment",
            self._client.payment.refund,
            provider_payment_id,
            {"amount": amount, "receipt": reference[:40], "notes": {"refund_id": reference}},
            headers={"X-Refund-Idempotency": reference},
        )
        return _refund_result(entity, malformed=ProviderUnavailable)

    def fetch_refund(self, *, reference: str, provider_refund_id: str) -> RefundResult:
        entity = self._call("fetch a refund", self._client.refund.fetch, provider_refund_id)
        return _refund_result(entity, malformed=ProviderUnavailable)

    def find_refund(self, *, reference: str, provider_payment_id: str) -> RefundResult | None:
        if not provider_payment_id:
            return None  # a Razorpay refund is of a payment: without one none was made
        listed = self._call(
            "list a payment's refunds",
            self._client.payment.fetch_multiple_refund,
            provider_payment_id,
            {"count": 100},
        )
        for entity in listed.get("items") or []:
            notes = entity.get("notes") if isinstance(entity, dict) else None
            if isinstance(notes, dict) and notes.get("refund_id") == reference:
                return _refund_result(entity, malformed=ProviderUnavailable)
        return None

    def parse_webhook(self, *, body: bytes, headers: dict) -> WebhookNotice:
        previous = verify_delivery(
            body=body,
            headers=headers,
            header="X-Razorpay-Signature",
            secret=self._webhook_secret,
            previous_secret=self._previous_webhook_secret,
            check=self._client.utility.verify_webhook_signature,
            errors=(SignatureVerificationError, TypeError),
            provider=self.name,
        )
        notice = self.read_webhook(body=body, event_id=headers.get("X-Razorpay-Event-Id", ""))
        return dataclasses.replace(notice, signed_with_previous=previous)

    def read_webhook(self, *, body: bytes, event_id: str = "") -> WebhookNotice:
        try:
            event = json.loads(body)
            event_type = str(event["event"])
            payload = event.get("payload") or {}
            entity = payload.get("payment", {}).get("entity")
            refund_entity = payload.get("refund", {}).get("entity")
            link_entity = payload.get("payment_link", {}).get("entity")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedWebhook("Razorpay webhook body is not an event.") from exc
        link_event = event_type == LINK_PAID_EVENT or event_type in LINK_ENDED_EVENTS
        subject = (
            link_entity if link_event else refund_entity if event_type in REFUND_EVENTS else entity
        )
        if not isinstance(subject, dict | None):
            raise MalformedWebhook(f"Razorpay {event_type} carries no usable entity.")
        given_id = event_id
        event_id = event_id or f"{event_type}:{(subject or {}).get('id')}"
        charge = refund = None
        if link_event:
            charge = _charge_from_link_event(event_type, link_entity, entity)
        elif event_type in PAID_EVENTS | FAILED_EVENTS:
            if not isinstance(entity, dict):
                raise MalformedWebhook(f"Razorpay {event_type} carries no payment entity.")
            charge = _charge_from_payment(entity)
        elif event_type in REFUND_EVENTS:
            if not isinstance(refund_entity, dict):
                raise MalformedWebhook(f"Razorpay {event_type} carries no refund entity.")
            refund = _refund_result(refund_entity)
        elif event_type in DISPUTE_EVENTS:
            report = dispute_report((payload.get("dispute") or {}).get("entity"))
            return WebhookNotice(
                event_id=event_id or f"{event_type}:{report.provider_dispute_id}",
                event_type=event_type,
                charge=None,
                dispute=report,
            )
        elif event_type in SETTLEMENT_EVENTS:
            settlement_id = settlement_id_of(payload)
            return WebhookNotice(
                event_id=given_id or f"{event_type}:{settlement_id}",
                event_type=event_type,
                charge=None,
                settlement_id=settlement_id,
            )
        return WebhookNotice(event_id=event_id, event_type=event_type, charge=charge, refund=refund)


PAYMENT_STATES = {
    "captured": ChargeState.PAID,
    "authorized": ChargeState.AUTHORIZED,
    "failed": ChargeState.FAILED,
    "created": ChargeState.PENDING,
}


def _charge_from_payment(entity: dict, *, malformed: type[Exception] = MalformedWebhook) -> Charge:
    """A payment entity as a Charge; only `captured` is paid, whatever the event said."""
    try:
        return Charge(
            state=PAYMENT_STATES.get(str(entity.get("status")), ChargeState.PENDING),
            provider_order_id=str(entity["order_id"]),
            amount=int(entity["amount"]),
            currency=str(entity["currency"]),
            provider_payment_id=str(entity["id"]),
            reason=str(entity.get("error_description") or ""),
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise malformed("Razorpay payment entity lacks order_id, amount or currency.") from exc


def _refund_result(entity: dict, *, malformed: type[Exception] = MalformedWebhook) -> RefundResult:
    try:
        notes = entity.get("notes") or {}
        return RefundResult(
            state=REFUND_STATES.get(str(entity.get("status")), RefundState.PENDING),
            provider_refund_id=str(entity["id"]),
            reference=str((notes.get("refund_id") if isinstance(notes, dict) else "") or ""),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise malformed("Razorpay refund entity lacks an id.") from exc


def _charge_from_link(link: dict, *, malformed: type[Exception] = MalformedWebhook) -> Charge:
    """A payment link entity as a Charge: paid only with a captured payment in it."""
    try:
        link_id, status = str(link["id"]), str(link["status"])
        if status in LINK_ENDED_STATUSES:
            return Charge(
                state=ChargeState.EXPIRED,
                provider_order_id=link_id,
                reason=f"The payment link was {status} at Razorpay.",
            )
        captured = [p for p in link.get("payments") or [] if p.get("status") == "captured"]
        if not captured:
            return Charge(state=ChargeState.PENDING, provider_order_id=link_id)
        return Charge(
            state=ChargeState.PAID,
            provider_order_id=link_id,
            amount=int(captured[0]["amount"]),
            currency=str(link["currency"]),
            provider_payment_id=str(captured[0]["payment_id"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise malformed("Razorpay payment link entity lacks id, status or amounts.") from exc


def _charge_from_link_event(event_type: str, link: dict | None, payment: dict | None) -> Charge:
    if not isinstance(link, dict) or "id" not in link:
        raise MalformedWebhook(f"Razorpay {event_type} carries no payment link entity.")
    if event_type in LINK_ENDED_EVENTS:
        return _charge_from_link({**link, "status": event_type.removeprefix("payment_link.")})
    if not isinstance(payment, dict):
        raise MalformedWebhook(f"Razorpay {event_type} carries no payment entity.")
    # The payment names the order Razorpay made behind the link; ours is the link.
    return dataclasses.replace(_charge_from_payment(payment), provider_order_id=str(link["id"]))


# mypy checks here that the adapter offers everything the shared interface asks for.
# mypy checks the adapter against each capability it claims.
_CAPABILITIES: tuple[type[PaymentProvider], type[DisputeApi], type[SettlementApi]] = (
    RazorpayProvider,
    RazorpayProvider,
    RazorpayProvider,
)
