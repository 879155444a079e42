"""The fourth provider's adapter: JSON over HTTP with `requests`, deliveries signed with a
hex HMAC-SHA256 of the body in Fourth-Signature, refunds keyed by Idempotency-Key."""

import hashlib
import hmac
import json

import requests

from payments.gateways.base import (
    Charge,
    ChargeState,
    MalformedWebhook,
    PaymentProvider,
    ProviderError,
    ProviderOrder,
    ProviderUnavailable,
    RefundResult,
    RefundState,
    SignatureMismatch,
    WebhookNotice,
    verify_delivery,
)


def _signature_matches(text: str, signature: str, secret: str) -> None:
    expected = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise SignatureMismatch


class FourthProvider:
    name = "fourth"
    webhook_needs_confirmation = False
    repeat_captures = False

    def __init__(self, *, base_url, webhook_secret, previous_webhook_secret, timeout):
        self._base_url = base_url
        self._secret, self._previous = webhook_secret, previous_webhook_secret
        self._timeout = timeout
        self._http = requests.Session()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            answer = self._http.request(
                method, f"{self._base_url}{path}", timeout=self._timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"Fourth could not be reached: {type(exc).__name__}") from exc
        if answer.status_code >= 500:
            raise ProviderUnavailable(f"Fourth answered {answer.status_code}")
        if answer.status_code >= 400:
            raise ProviderError(f"Fourth refused: {answer.status_code}")
        return answer.json()

    def create_order(self, *, reference, amount, currency, notes, return_url, expires_in=None):
        body = self._call("POST", "/orders", json={"reference": reference, "amount": amount})
        return ProviderOrder(provider_order_id=body["id"], amount=amount, currency=currency)

    def fetch_charge(self, *, provider_order_id: str) -> Charge:
        body = self._call("GET", f"/orders/{provider_order_id}")
        state = ChargeState.PAID if body.get("paid") else ChargeState.PENDING
        return Charge(state=state, provider_order_id=provider_order_id, amount=body.get("amount"))

    def cancel_order(self, *, provider_order_id: str) -> None:
        self._call("POST", f"/orders/{provider_order_id}/cancel")

    def refund(self, *, reference, provider_order_id, provider_payment_id, amount, currency):
        body = self._call(
            "POST",
            "/refunds",
            json={"payment": provider_payment_id, "amount": amount},
            headers={"Idempotency-Key": reference},
        )
        return RefundResult(
            state=RefundState.PENDING, provider_refund_id=body["id"], reference=reference
        )

    def fetch_refund(self, *, reference: str, provider_refund_id: str) -> RefundResult:
        body = self._call("GET", f"/refunds/{provider_refund_id}")
        return RefundResult(state=RefundState(body["state"]), provider_refund_id=body["id"])

    def find_refund(self, *, reference: str, provider_payment_id: str) -> RefundResult | None:
        return None

    def parse_webhook(self, *, body: bytes, headers) -> WebhookNotice:
        previous = verify_delivery(
            body=body,
            headers=headers,
            header="Fourth-Signature",
            secret=self._secret,
            previous_secret=self._previous,
            check=_signature_matches,
            provider=self.name,
        )
        notice = self.read_webhook(body=body)
        return WebhookNotice(
            event_id=notice.event_id,
            event_type=notice.event_type,
            charge=notice.charge,
            signed_with_previous=previous,
        )

    def read_webhook(self, *, body: bytes) -> WebhookNotice:
        try:
            event = json.loads(body)
            order = event["order"]
            charge = Charge(
                state=ChargeState.PAID,
                provider_order_id=str(order["id"]),
                amount=int(order["amount"]),
                currency=str(order["currency"]),
            )
            return WebhookNotice(event_id=str(event["id"]), event_type="order.paid", charge=charge)
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedWebhook("Fourth webhook body is not an event.") from exc


_CAPABILITIES: tuple[type[PaymentProvider]] = (FourthProvider,)
