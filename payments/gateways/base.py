"""What provider adapters offer: every one checkout and refunds (`PaymentProvider`), some
disputes and settlements too, each a protocol of its own. Adapters take plain values, call
one SDK or HTTP API and answer with these small frozen dataclasses (amounts in minor
units); they never touch the database and never build HTTP responses."""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol, runtime_checkable

from config.exceptions import Missing, ProviderTrouble

logger = logging.getLogger(__name__)


class ProviderFailure(ProviderTrouble):
    """Base of the provider error ladder; the message is safe to log, not to show."""


class ProviderUnavailable(ProviderFailure):
    """The provider could not be reached or answered nonsense (→ 502)."""


class ProviderError(ProviderFailure):
    """The provider refused the request (→ 502; reason logged, not shown)."""


class ProviderDisabled(Missing):
    """The provider is switched off by PAYMENT_PROVIDERS (→ 404)."""


class InvalidSignature(Exception):
    """A checkout signature or webhook authentication did not verify (→ 400)."""


class SignatureMismatch(Exception):
    """Raised by a gateway's own check when a signature does not match one secret."""


def verify_delivery(
    *,
    body: bytes,
    headers,
    header: str,
    secret: str,
    previous_secret: str,
    check: Callable[[str, str, str], None],
    errors: tuple[type[Exception], ...] = (SignatureMismatch,),
    provider: str,
) -> bool:
    """Every gateway's webhook preamble: the delivery carries `header`, a secret is
    configured (an empty one never verifies anything), the body is text; then
    `check(text, signature, secret)` (raising one of `errors` on a mismatch) with the current
    secret and, while a rotation is under way, the previous one, so no delivery signed
    just before the switch is dropped. True when it was the previous secret that verified."""
    signature = headers.get(header, "")
    if not signature:
        raise InvalidSignature(f"{header} header is missing.")
    if not secret:
        raise InvalidSignature(f"No {provider} webhook secret is configured: nothing verifies.")
    refusal = f"{header} does not verify."
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSignature(refusal) from exc
    for age, candidate in enumerate((secret, previous_secret)):
        if not candidate:
            continue
        try:
            check(text, signature, candidate)
        except errors:
            continue
        if age:
            logger.warning(
                "%s webhook verified with the previous secret: a rotation is under way", provider
            )
        return bool(age)
    raise InvalidSignature(refusal)


class CapabilityMissing(ProviderError):
    """A provider asked for what it cannot do (PhonePe's disputes): settle it at its
    dashboard."""


class MalformedWebhook(Exception):
    """A verified webhook whose body cannot be read (→ 400)."""


class ChargeState(StrEnum):
    PAID = "PAID"
    FAILED = "FAILED"
    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"  # money held for us, not captured yet: not paid
    EXPIRED = "EXPIRED"  # can no longer be paid


@dataclass(frozen=True)
class ProviderOrder:
    """The provider's order for one payment. provider_order_id is the key its status API
    and webhooks use (Razorpay order_…, PhonePe merchantOrderId, Stripe cs_…)."""

    provider_order_id: str
    amount: int
    currency: str
    checkout_url: str = ""
    client_secret: str = ""


@dataclass(frozen=True)
class Charge:
    """What the provider says happened to the money of one provider order."""

    state: ChargeState
    provider_order_id: str
    amount: int | None = None
    currency: str | None = None
    provider_payment_id: str = ""
    reason: str = ""
    # Whose order the provider says this is (Stripe metadata), checked against ours.
    metadata: dict = field(default_factory=dict)
    # An address the shopper gave at the provider (Stripe Checkout), copied to the order.
    shipping_address: dict | None = None


class RefundState(StrEnum):
    PENDING = "PENDING"  # accepted by the provider, money not back yet
    PROCESSED = "PROCESSED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class RefundResult:
    """What the provider says of one refund. reference is our refund id when the
    provider echoes it (an idempotency key, a merchantRefundId, metadata)."""

    state: RefundState
    provider_refund_id: str = ""
    reference: str = ""
    reason: str = ""


class DisputeState(StrEnum):
    OPEN = "OPEN"  # the shop may answer until its deadline
    UNDER_REVIEW = "UNDER_REVIEW"  # answered; the bank decides
    WON = "WON"
    LOST = "LOST"  # the bank returned the money to the shopper
    CLOSED = "CLOSED"  # ended without a decision (an inquiry, a warning): nothing taken


@dataclass(frozen=True)
class DisputeReport:
    """What the provider says of one dispute (a chargeback) of one of its payments."""

    provider_dispute_id: str
    provider_payment_id: str
    state: DisputeState
    amount: int
    currency: str
    amount_deducted: int = 0  # what the provider took back from the shop (lost)
    reason: str = ""
    phase: str = ""
    respond_by: int | None = None  # unix time: the deadline to accept or contest
    provider_status: str = ""


@dataclass(frozen=True)
class SettlementLineReport:
    """One line of what a provider paid out: the entity it moves (pay_…, rfnd_…, disp_…,
    adj_…) and the money, in minor units."""

    provider_entity_id: str  # what it moves, as our records name it
    kind: str  # payment, refund, dispute, adjustment, transfer, fee, other
    amount: int
    credit: int = 0
    debit: int = 0
    fee: int = 0  # GST on it included
    tax: int = 0  # the GST on the fee
    on_hold: bool = False
    settled: bool = False
    settled_at: int | None = None  # unix time
    provider_settlement_id: str = ""
    utr: str = ""
    # The line's own id at the provider (Stripe's txn_…); empty: its kind and entity id.
    provider_line_id: str = ""

    @property
    def line_id(self) -> str:
        return self.provider_line_id or f"{self.kind}:{self.provider_entity_id}"


class SettlementState(StrEnum):
    CREATED = "created"  # not paid out yet
    PROCESSED = "processed"  # the money reached the bank
    FAILED = "failed"  # not final: the provider pays it out again


@dataclass(frozen=True)
class SettlementReport:
    """One payout to the shop's bank (Razorpay `setl_…`, Stripe `po_…`), minor units."""

    provider_settlement_id: str
    state: SettlementState
    amount: int  # what reaches the bank
    currency: str = "INR"
    utr: str = ""  # the bank's reference, as the statement shows it
    fees: int | None = None  # None: the sum of its lines' fees
    tax: int | None = None  # the GST on the fees; None: the sum of its lines'
    settled_at: int | None = None  # unix time


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class WebhookNotice:
    """A verified webhook delivery: about a charge, a refund, or neither (ignored).
    `refunded_payment_id` names a provider payment whose money the provider says it
    refunded without naming which refund (Stripe's charge.refunded): our refunds of it
    are then asked about."""

    event_id: str
    event_type: str
    charge: Charge | None
    refund: RefundResult | None = None
    refunded_payment_id: str = ""
    dispute: DisputeReport | None = None
    # A settlement (payout) the provider says it made or changed: pulled from its API.
    settlement_id: str = ""
    # Verified with the previous webhook secret: a rotation is still open.
    signed_with_previous: bool = False


class CheckoutApi(Protocol):
    """Taking money: every provider."""

    name: str
    # True when a webhook only proves the sender knows a shared secret, not that the body
    # is genuine: its state must be confirmed with the status API before acting on it.
    webhook_needs_confirmation: bool
    # True when one provider order can be paid (captured) more than once.
    repeat_captures: bool

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
        """Open the provider's order for one payment. `expires_in` (seconds) is how long
        the checkout holds what it buys: a provider that can end its pay page then does."""

    def fetch_charge(self, *, provider_order_id: str) -> Charge: ...

    def cancel_order(self, *, provider_order_id: str) -> None:
        """Make an open provider order unpayable where the provider allows it."""

    def parse_webhook(self, *, body: bytes, headers: dict) -> WebhookNotice:
        """Verify a delivery's signature, then read it."""

    def read_webhook(self, *, body: bytes) -> WebhookNotice:
        """Read a delivery whose signature verified earlier (a stored event replayed)."""


class RefundApi(Protocol):
    """Giving money back: every provider."""

    def refund(
        self,
        *,
        reference: str,
        provider_order_id: str,
        provider_payment_id: str,
        amount: int,
        currency: str,
    ) -> RefundResult:
        """Refund `amount`; `reference` (our refund id) is the provider's idempotency key,
        so asking twice refunds once."""

    def fetch_refund(self, *, reference: str, provider_refund_id: str) -> RefundResult: ...

    def find_refund(self, *, reference: str, provider_payment_id: str) -> RefundResult | None:
        """The refund we asked for with `reference` (our refund id) of one provider payment,
        looked up when the provider never gave us its id (it refused, or we never heard);
        None when the provider has no such refund."""


class PaymentProvider(CheckoutApi, RefundApi, Protocol):
    """What every provider's adapter does. A provider that can do more also has the
    capabilities below (mypy checks each adapter against each it claims; the registry hands
    one out with `provider_api(name, DisputeApi)` or refuses); mandates and transfers
    (splits) will be capabilities of their own beside them."""


@runtime_checkable
class DisputeApi(Protocol):
    """Disputes read, accepted and contested through the provider's API."""

    def fetch_dispute(self, *, provider_dispute_id: str) -> DisputeReport: ...

    def accept_dispute(self, *, provider_dispute_id: str) -> DisputeReport:
        """Concede: the money goes back to the shopper (irreversible)."""

    def contest_dispute(
        self, *, provider_dispute_id: str, summary: str, files: list[EvidenceFile], submit: bool
    ) -> DisputeReport:
        """Answer with a summary and evidence files (uploaded first); `submit` False keeps a
        draft at the provider."""


@runtime_checkable
class SettlementApi(Protocol):
    """Settlements (payouts) read line by line through the provider's API."""

    def fetch_settlement(self, *, provider_settlement_id: str) -> SettlementReport: ...

    def settlement_lines(
        self, *, settlement: SettlementReport
    ) -> Iterator[list[SettlementLineReport]]:
        """One settlement's lines, a page at a time."""

    def day_settlement_lines(self, *, day: date) -> Iterator[list[SettlementLineReport]]:
        """The lines of every settlement made on one day, a page at a time."""
