"""Stripe adapter around the official SDK: an explicit StripeClient (no SDK globals),
embedded Checkout Sessions, and webhook signatures checked by stripe.Webhook."""

import dataclasses
import json
import logging

import stripe

from ...gateways.base import (
    Charge,
    ChargeState,
    DisputeApi,
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
from .disputes import DISPUTE_EVENTS, StripeDisputes, dispute_report
from .settlements import SETTLEMENT_EVENTS, StripeSettlements, payout_id_of

logger = logging.getLogger(__name__)

REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed"}
# A charge's money went back: its object is the charge, naming the payment intent only.
CHARGE_REFUNDED = "charge.refunded"
REFUND_STATES = {
    "succeeded": RefundState.PROCESSED,
    "pending": RefundState.PENDING,
    "requires_action": RefundState.PENDING,
    "failed": RefundState.FAILED,
    "canceled": RefundState.FAILED,
}
SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


class StripeProvider(StripeDisputes, StripeSettlements):
    name = "stripe"
    webhook_needs_confirmation = False
    # An order completes once, and a refund names the order: no second capture to look for.
    repeat_captures = False

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        api_base: str,
        timeout: float,
        previous_webhook_secret: str = "",
        files_base: str = "",
    ):
        self._secret_key = secret_key
        self._webhook_secret = webhook_secret
        self._previous_webhook_secret = previous_webhook_secret
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base, "files": files_base or api_base},
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=0,
        )

    def _call(self, action: str, method, *args):
        try:
            return method(*args)
        except stripe.IdempotencyError as exc:
            raise ProviderError(f"Stripe refused to {action}: idempotency key reused") from exc
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise ProviderUnavailable(
                f"Stripe unreachable ({action}): {type(exc).__name__}"
            ) from exc
        except (stripe.AuthenticationError, stripe.PermissionError) as exc:
            # A revoked or restricted key: no retry will succeed until someone changes it.
            raise ProviderError(
                f"Stripe refused our key ({action}): HTTP {exc.http_status}"
            ) from exc
        except stripe.InvalidRequestError as exc:
            raise ProviderError(
                f"Stripe refused to {action}: {exc.user_message or exc.code}"
            ) from exc
        except Exception as exc:  # any other SDK failure, including malformed answers
            raise ProviderUnavailable(f"Stripe failed ({action}): {type(exc).__name__}") from exc

    def create_order(
        self,
        *,
        reference: str,
        amount: int,
        currency: str,
        notes: dict,
        return_url: str,
        expires_in: int | None = None,
    ) -> ProviderOrder:
        """Stripe checkouts are order-first (they reserve stock, not hold it) and a
        session lives at least 30 minutes; its own 24 hours apply."""
        metadata = {key: str(value) for key, value in notes.items()}
        session = self._call(
            "create a checkout session",
            self._client.v1.checkout.sessions.create,
            {
                "ui_mode": "embedded_page",
                "mode": "payment",
                "line_items": [
                    {
                        "price_data": {
                            "currency": currency.lower(),
                            "unit_amount": amount,
                            "product_data": {"name": f"paycart order {notes.get('order_id', '')}"},
                        },
                        "quantity": 1,
                    }
                ],
                "client_reference_id": reference,
                "metadata": metadata,
                "payment_intent_data": {"metadata": metadata},
                "return_url": return_url,
                "shipping_address_collection": {"allowed_countries": ["IN"]},
            },
        )
        session_id = getattr(session, "id", None)
        client_secret = getattr(session, "client_secret", None)
        if not session_id or not client_secret:
            raise ProviderUnavailable("Stripe answered without a session id or client secret")
        return ProviderOrder(
            provider_order_id=session_id,
            amount=amount,
            currency=currency,
            client_secret=client_secret,
        )

    def fetch_charge(self, *, provider_order_id: str) -> Charge:
        session = self._call(
            "retrieve a checkout session",
            self._client.v1.checkout.sessions.retrieve,
            provider_order_id,
        )
        return _charge_from_session(session.to_dict(), event_type="", malformed=ProviderUnavailable)

    def cancel_order(self, *, provider_order_id: str) -> None:
        self._call(
            "expire a checkout session", self._client.v1.checkout.sessions.expire, provider_order_id
        )

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
            raise ProviderError("Stripe refunds need the payment intent (pi_…)")
        refund = self._call(
            "refund a payment",
            self._client.v1.refunds.create,
            {
                "payment_intent": provider_payment_id,
                "amount": amount,
                "metadata": {"refund_id": reference},
            },
            {"idempotency_key": reference},
        )
        return _refund_result(refund.to_dict(), malformed=ProviderUnavailable)

    def fetch_refund(self, *, reference: str, provider_refund_id: str) -> RefundResult:
        refund = self._call(
            "retrieve a refund", self._client.v1.refunds.retrieve, provider_refund_id
        )
        return _refund_result(refund.to_dict(), malformed=ProviderUnavailable)

    def find_refund(self, *, reference: str, provider_payment_id: str) -> RefundResult | None:
        if not provider_payment_id:
            return None  # a Stripe refund is of a payment intent: without one none was made
        listed = self._call(
            "list a payment's refunds",
            self._client.v1.refunds.list,
            {"payment_intent": provider_payment_id, "limit": 100},
        )
        for refund in listed.data:
            found = refund.to_dict()
            if (found.get("metadata") or {}).get("refund_id") == reference:
                return _refund_result(found, malformed=ProviderUnavailable)
        return None

    def parse_webhook(self, *, body: bytes, headers) -> WebhookNotice:
        previous = verify_delivery(
            body=body,
            headers=headers,
            header="Stripe-Signature",
            secret=self._webhook_secret,
            previous_secret=self._previous_webhook_secret,
            check=lambda text, signature, secret: stripe.WebhookSignature.verify_header(
                text, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
            ),
            errors=(stripe.SignatureVerificationError,),
            provider=self.name,
        )
        return dataclasses.replace(self.read_webhook(body=body), signed_with_previous=previous)

    def read_webhook(self, *, body: bytes) -> WebhookNotice:
        try:
            event = json.loads(body)
            event_id, event_type = str(event["id"]), str(event["type"])
            subject = event["data"]["object"]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedWebhook("Stripe webhook body is not an event.") from exc
        charge = _charge_from_session(subject, event_type) if event_type in SESSION_EVENTS else None
        refund = _refund_result(subject) if event_type in REFUND_EVENTS else None
        if event_type in DISPUTE_EVENTS:
            return WebhookNotice(
                event_id=event_id,
                event_type=event_type,
                charge=None,
                dispute=dispute_report(subject),
            )
        if event_type in SETTLEMENT_EVENTS:
            return WebhookNotice(
                event_id=event_id,
                event_type=event_type,
                charge=None,
                settlement_id=payout_id_of(subject),
            )
        refunded = ""
        if event_type == CHARGE_REFUNDED:
            refunded = str(subject.get("payment_intent") or "") if isinstance(subject, dict) else ""
            if not refunded:
                raise MalformedWebhook("Stripe charge.refunded names no payment intent.")
        return WebhookNotice(
            event_id=event_id,
            event_type=event_type,
            charge=charge,
            refund=refund,
            refunded_payment_id=refunded,
        )


def _shipping_address(session: dict) -> dict | None:
    details = (session.get("collected_information") or {}).get("shipping_details")
    if not details:
        return None
    address = details.get("address") or {}
    return {
        "name": details.get("name") or "",
        "address_line_1": address.get("line1") or "",
        "address_line_2": address.get("line2") or "",
        "city": address.get("city") or "",
        "state": address.get("state") or "",
        "postal_code": address.get("postal_code") or "",
        "country": address.get("country") or "",
    }


def _state(session: dict, event_type: str) -> ChargeState:
    if event_type == "checkout.session.async_payment_failed":
        return ChargeState.FAILED
    if session.get("status") == "expired" or event_type == "checkout.session.expired":
        return ChargeState.EXPIRED
    # Fulfil only once the money is in: delayed methods complete with payment_status unpaid.
    if session.get("status") == "complete" and session.get("payment_status") == "paid":
        return ChargeState.PAID
    return ChargeState.PENDING


def _charge_from_session(
    session: dict, event_type: str, *, malformed: type[Exception] = MalformedWebhook
) -> Charge:
    try:
        return Charge(
            state=_state(session, event_type),
            provider_order_id=str(session["id"]),
            amount=session.get("amount_total"),
            currency=str(session.get("currency") or "").upper(),
            provider_payment_id=str(session.get("payment_intent") or ""),
            metadata=dict(session.get("metadata") or {}),
            shipping_address=_shipping_address(session),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise malformed("Stripe session lacks an id.") from exc


def _refund_result(refund: dict, *, malformed: type[Exception] = MalformedWebhook) -> RefundResult:
    try:
        return RefundResult(
            state=REFUND_STATES.get(str(refund.get("status")), RefundState.PENDING),
            provider_refund_id=str(refund["id"]),
            reference=str((refund.get("metadata") or {}).get("refund_id") or ""),
            reason=str(refund.get("failure_reason") or ""),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise malformed("Stripe refund lacks an id.") from exc


# mypy checks here that the adapter offers everything the shared interface asks for.
# mypy checks the adapter against each capability it claims.
_CAPABILITIES: tuple[type[PaymentProvider], type[DisputeApi], type[SettlementApi]] = (
    StripeProvider,
    StripeProvider,
    StripeProvider,
)
