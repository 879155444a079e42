"""What the provider contract tests need of a gateway's fakes (tests/payments/gateways/<name>/
fakes.py declares one CONTRACT): how to sign a delivery, where a refund goes and where our
refund id travels in it. Every registered gateway must have one."""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import responses
from requests import PreparedRequest

# What the contract tests refund: a payment of this id, of this provider order.
PAYMENT_ID = "CONTRACT_PAYMENT"
ORDER_ID = "CONTRACT_ORDER"


@dataclass(frozen=True)
class GatewayFakes:
    # The adapter's keyword arguments for a current and a previous webhook secret.
    secrets: Callable[[str, str], dict]
    # A delivery (body, headers) saying `order_id` was paid, signed with `secret`.
    delivery: Callable[[str, str], tuple[bytes, dict]]
    # Where a refund is asked for (method, URL) and what a successful answer is.
    refund_endpoint: Callable[[], tuple[str, str]]
    refund_answer: Callable[[str], dict]
    # Our refund id as the provider received it (its idempotency key).
    reference_sent: Callable[[PreparedRequest], str]
    # The body the provider refuses a request with (HTTP 4xx), in its own error format.
    refusal: Callable[[int], dict] = lambda status: {"error": "refused"}
    # Its webhook's path, the setting of its webhook secret, and the settings that make a
    # secret the previous one (a rotation).
    webhook_path: str = ""
    secret_setting: str = ""
    previous_secret_settings: Callable[[str], dict] = lambda secret: {}
    # Anything else the provider must answer first (an OAuth token).
    prepare: Callable[[responses.RequestsMock], None] = lambda rsps: None
    # Forget what the fake provider remembers (the rsps fixture calls it for every test).
    reset: Callable[[], None] = field(default=lambda: None)


def post_delivery(client, fakes: GatewayFakes, secret: str):
    """A delivery signed with `secret`, posted to the gateway's webhook as the provider does."""
    body, headers = fakes.delivery("order_UNKNOWN01", secret)
    meta = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in headers.items()}
    return client.post(fakes.webhook_path, body, content_type="application/json", **meta)


def fakes_of(name: str, package: str = "") -> GatewayFakes:
    """The CONTRACT of a gateway's fakes: beside its tests for the gateways in
    payments/gateways/, or in the package itself for one kept elsewhere."""
    where = f"{package}.fakes" if package else f"tests.payments.gateways.{name}.fakes"
    return importlib.import_module(where).CONTRACT
