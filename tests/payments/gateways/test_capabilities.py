"""Each provider's capabilities are protocols of their own: the registry hands one out or
refuses, and no adapter carries stubs for what it cannot do."""

import pytest

from payments.gateways.base import CapabilityMissing, DisputeApi, SettlementApi
from payments.gateways.registry import provider_api, supports
from payments.providers.phonepe.adapter import PhonePeProvider

pytestmark = pytest.mark.django_db


def test_who_can_do_what():
    assert {name: (supports(name, DisputeApi), supports(name, SettlementApi))
            for name in ("razorpay", "stripe", "phonepe")} == {
        "razorpay": (True, True), "stripe": (True, True), "phonepe": (False, False),
    }  # fmt: skip
    assert not hasattr(PhonePeProvider, "fetch_dispute")  # no stub that refuses


def test_a_capability_is_handed_out_or_refused_in_words():
    assert callable(provider_api("razorpay", DisputeApi).fetch_dispute)
    assert callable(provider_api("stripe", SettlementApi).day_settlement_lines)
    with pytest.raises(CapabilityMissing, match="PhonePe has no dispute API: settle the dispute"):
        provider_api("phonepe", DisputeApi)
    with pytest.raises(CapabilityMissing, match="PhonePe has no settlement API"):
        provider_api("phonepe", SettlementApi)
