"""PhonePe Standard Checkout V2 adapter over `requests` (PhonePe's own SDK pins old
requests/urllib3 and has no base-URL option): OAuth token, pay, order status, webhook
authorization."""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass, replace
from typing import Protocol

import requests

from ...gateways.base import (
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

logger = logging.getLogger(__name__)

HOSTS = {
    "UAT": {
        "oauth": "https://api-preprod.phonepe.com/apis/pg-sandbox",
        "pg": "https://api-preprod.phonepe.com/apis/pg-sandbox",
    },
    "PRODUCTION": {
        "oauth": "https://api.phonepe.com/apis/identity-manager",
        "pg": "https://api.phonepe.com/apis/pg",
    },
}
# Fetch a new token this long before the current one expires.
TOKEN_REFRESH_MARGIN_SECONDS = 300
STATES = {
    "COMPLETED": ChargeState.PAID,
    "FAILED": ChargeState.FAILED,
    "PENDING": ChargeState.PENDING,
}
ORDER_EVENTS = {"checkout.order.completed", "checkout.order.failed"}
REFUND_EVENTS = {"pg.refund.accepted", "pg.refund.completed", "pg.refund.failed"}
REFUND_STATES = {
    "PENDING": RefundState.PENDING,
    "CONFIRMED": RefundState.PENDING,
    "ACCEPTED": RefundState.PENDING,
    "COMPLETED": RefundState.PROCESSED,
    "FAILED": RefundState.FAILED,
}


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # epoch seconds


class TokenStore(Protocol):
    """Where the OAuth token lives so that every server process shares it."""

    def load(self, key: str) -> AccessToken | None: ...

    def save(self, key: str, token: AccessToken) -> None: ...


class _NotFound(ProviderError):
    """PhonePe has no such order or refund (404)."""


def _webhook_digest(username: str, password: str) -> str:
    """What the webhook's Authorization must be; without both halves of the credential
    nothing may verify (sha256(":") is public)."""
    if not (username and password):
        return ""
    return hashlib.sha256(f"{username}:{password}".encode()).hexdigest()


def _authorization_matches(body: str, supplied: str, expected: str) -> None:
    """PhonePe signs nothing: the header must be the credentials' digest (the body is not
    part of it)."""
    if not hmac.compare_digest(supplied.strip().lower().encode(), expected.encode()):
        raise SignatureMismatch


class PhonePeProvider:
    name = "phonepe"
    # The webhook's Authorization header proves only that the sender knows a shared
    # secret; the state is confirmed with the order-status API before acting.
    webhook_needs_confirmation = True
    # An order completes once, and a refund names the order: no second capture to look for.
    repeat_captures = False

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        client_version: str,
        env: str,
        base_url: str,
        webhook_username: str,
        webhook_password: str,
        timeout: float,
        token_store: TokenStore,
        session: requests.Session | None = None,
        previous_webhook_credentials: tuple[str, str] = ("", ""),
    ):
        hosts = HOSTS[env]  # the settings guard admits only UAT and PRODUCTION
        self._oauth_base = base_url or hosts["oauth"]
        self._pg_base = base_url or hosts["pg"]
        self._client_id = client_id
        self._client_secret = client_secret
        self._client_version = client_version
        self._webhook_auth = _webhook_digest(webhook_username, webhook_password)
        self._previous_webhook_auth = _webhook_digest(*previous_webhook_credentials)
        self._timeout = timeout
        self._tokens = token_store
        self._token_key = f"phonepe:{client_id}"
        self._http = session or requests.Session()

    # ---------------------------------------------------------------- OAuth
    def _fetch_token(self) -> AccessToken:
        try:
            response = self._http.post(
                f"{self._oauth_base}/v1/oauth/token",
                data={
                    "client_id": self._client_id,
                    "client_version": self._client_version,
                    "client_secret": self._client_secret,
                    "grant_type": "client_credentials",
                },
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"PhonePe OAuth unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise ProviderError(f"PhonePe OAuth refused: HTTP {response.status_code}")
        try:
            body = response.json()
            token = AccessToken(
                value=str(body["access_token"]), expires_at=float(body["expires_at"])
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderUnavailable("PhonePe OAuth answered without a token") from exc
        self._tokens.save(self._token_key, token)
        return token

    def _token(self, *, fresh: bool = False) -> str:
        token = None if fresh else self._tokens.load(self._token_key)
        if token is None or token.expires_at - TOKEN_REFRESH_MARGIN_SECONDS <= time.time():
            token = self._fetch_token()
        return token.value

    def _request(self, method: str, path: str, action: str, **kwargs) -> dict:
        """A PG call with the shared token; a 401 fetches a new token and retries once."""
        for fresh in (False, True):
            headers = {"Authorization": f"O-Bearer {self._token(fresh=fresh)}"}
            try:
                response = self._http.request(
                    method,
                    f"{self._pg_base}{path}",
                    headers=headers,
                    timeout=self._timeout,
                    **kwargs,
                )
            except requests.RequestException as exc:
                raise ProviderUnavailable(
                    f"PhonePe unreachable ({action}): {type(exc).__name__}"
                ) from exc
            if response.status_code != 401:
                break
        if response.status_code >= 500:
            raise ProviderUnavailable(f"PhonePe failed ({action}): HTTP {response.status_code}")
        if response.status_code == 404:
            raise _NotFound(f"PhonePe knows nothing to {action}: HTTP 404")
        if response.status_code >= 400:
            raise ProviderError(f"PhonePe refused to {action}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderUnavailable(f"PhonePe answered {action} with non-JSON") from exc
        if not isinstance(body, dict):
            raise ProviderUnavailable(f"PhonePe answered {action} with a non-object")
        return body

    # ---------------------------------------------------------------- payments
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
        if currency != "INR":
            raise ProviderError("PhonePe takes INR only")
        meta = {f"udf{i}": str(value)[:256] for i, value in enumerate(notes.values(), start=1)}
        body = self._request(
            "POST",
            "/checkout/v2/pay",
            "create a payment",
            json={
                "merchantOrderId": reference,
                "amount": amount,
                "expireAfter": _expire_after(expires_in),
                "metaInfo": meta,
                "paymentFlow": {
                    "type": "PG_CHECKOUT",
                    "message": "paycart checkout",
                    "merchantUrls": {"redirectUrl": return_url},
                },
            },
        )
        if not body.get("orderId") or not body.get("redirectUrl"):
            raise ProviderUnavailable("PhonePe answered pay without orderId or redirectUrl")
        return ProviderOrder(
            provider_order_id=reference,
            amount=amount,
            currency=currency,
            checkout_url=str(body["redirectUrl"]),
        )

    def fetch_charge(self, *, provider_order_id: str) -> Charge:
        body = self._request(
            "GET",
            f"/checkout/v2/order/{provider_order_id}/status",
            "read an order's status",
            params={"details": "false"},
        )
        state = STATES.get(str(body.get("state")))
        if state is None:
            raise ProviderUnavailable(f"PhonePe answered an unknown state {body.get('state')!r}")
        attempts = [a for a in body.get("paymentDetails") or [] if isinstance(a, dict)]
        # The attempt that took the money, else the latest one.
        completed = [a for a in attempts if a.get("state") == "COMPLETED"]
        last = (completed or attempts or [{}])[-1]
        return Charge(
            state=state,
            provider_order_id=provider_order_id,
            amount=body.get("amount"),
            currency="INR",
            provider_payment_id=str(last.get("transactionId") or ""),
            reason=str(body.get("errorCode") or ""),
        )

    def cancel_order(self, *, provider_order_id: str) -> None:
        """PhonePe has no cancel call; an unpaid order expires by its expireAfter."""

    # ---------------------------------------------------------------- refunds
    def refund(
        self,
        *,
        reference: str,
        provider_order_id: str,
        provider_payment_id: str,
        amount: int,
        currency: str,
    ) -> RefundResult:
        body = self._request(
            "POST",
            "/payments/v2/refund",
            "refund a payment",
            json={
                "merchantRefundId": reference,
                "originalMerchantOrderId": provider_order_id,
                "amount": amount,
            },
        )
        return _refund_result(body, reference)

    def fetch_refund(self, *, reference: str, provider_refund_id: str) -> RefundResult:
        body = self._request(
            "GET", f"/payments/v2/refund/{reference}/status", "read a refund's status"
        )
        return _refund_result(body, reference)

    def find_refund(self, *, reference: str, provider_payment_id: str) -> RefundResult | None:
        try:  # PhonePe looks refunds up by our merchantRefundId itself
            return self.fetch_refund(reference=reference, provider_refund_id="")
        except _NotFound:
            return None

    # ---------------------------------------------------------------- webhooks
    def parse_webhook(self, *, body: bytes, headers) -> WebhookNotice:
        previous = verify_delivery(
            body=body,
            headers=headers,
            header="Authorization",
            secret=self._webhook_auth,
            previous_secret=self._previous_webhook_auth,
            check=_authorization_matches,
            provider=self.name,
        )
        return replace(self.read_webhook(body=body), signed_with_previous=previous)

    def read_webhook(self, *, body: bytes) -> WebhookNotice:
        try:
            event = json.loads(body)
            event_type = str(event["event"])
            payload = event["payload"]
            merchant_order_id = payload.get("merchantOrderId") or payload.get(
                "originalMerchantOrderId"
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedWebhook("PhonePe webhook body is not an event.") from exc
        charge = refund = None
        if event_type in REFUND_EVENTS and payload.get("merchantRefundId"):
            refund = _refund_result(payload, str(payload["merchantRefundId"]))
        if event_type in ORDER_EVENTS:
            if not merchant_order_id:
                raise MalformedWebhook("PhonePe order event without merchantOrderId.")
            charge = Charge(
                state=STATES.get(str(payload.get("state")), ChargeState.PENDING),
                provider_order_id=str(merchant_order_id),
                amount=payload.get("amount"),
                currency="INR",
            )
        # PhonePe sends no event id: the same delivery repeated has the same body.
        event_id = hashlib.sha256(body).hexdigest()
        return WebhookNotice(event_id=event_id, event_type=event_type, charge=charge, refund=refund)


# PhonePe takes an expireAfter of 300 to 3600 seconds; without a hold, 20 minutes.
EXPIRE_AFTER_BOUNDS = (300, 3600)
EXPIRE_AFTER_DEFAULT = 1200


def _expire_after(expires_in: int | None) -> int:
    """The pay page ends with the hold where PhonePe allows it (a page that outlives a short
    hold is paid late: fulfilled if still free, refunded otherwise)."""
    if expires_in is None:
        return EXPIRE_AFTER_DEFAULT
    low, high = EXPIRE_AFTER_BOUNDS
    return min(max(expires_in, low), high)


def _refund_result(body: dict, reference: str) -> RefundResult:
    state = REFUND_STATES.get(str(body.get("state")))
    if state is None:
        raise ProviderUnavailable(f"PhonePe answered an unknown refund state {body.get('state')!r}")
    return RefundResult(
        state=state, provider_refund_id=str(body.get("refundId") or ""), reference=reference
    )


# mypy checks here that the adapter offers everything the shared interface asks for.
# mypy checks the adapter against what it claims: checkout and refunds (no dispute or
# settlement API: PhonePe's disputes are entered and settled by staff).
_CAPABILITIES: tuple[type[PaymentProvider]] = (PhonePeProvider,)
