"""Razorpay's adapter typed as itself: the calls only Razorpay has (fetch and capture a
payment, Checkout's and a link's signatures, links) are then checked by mypy, which the
shared PaymentProvider interface cannot do."""

from typing import cast

from ...gateways.registry import get_provider
from . import GATEWAY
from .adapter import RazorpayProvider


def razorpay_provider() -> RazorpayProvider:
    """This thread's observed Razorpay adapter (registry.get_provider)."""
    return cast(RazorpayProvider, get_provider(GATEWAY.name))
