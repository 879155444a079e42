"""A settlement's webhook pull racing the daily pull on real PostgreSQL threads: one
settlement, each line once, all linked and matched, whoever wins."""

from datetime import date

import pytest

from settlements.models import Settlement, SettlementLine
from settlements.selectors import settlements_statement
from settlements.services import settlement_pull, settlements_pull_day
from tests.conftest import run_concurrently
from tests.factories import PaymentFactory
from tests.payments.gateways.razorpay import fakes as razorpay

from .conftest import payment_line

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("round_", range(4))
def test_a_webhook_pull_racing_the_daily_pull_records_each_line_once(razorpay_api, round_):
    payments = [PaymentFactory(state="paid") for _ in range(3)]
    lines = [payment_line(p) for p in payments] + [
        razorpay.recon_line(f"pay_ELSE{n:04d}", "payment", 1000) for n in range(1200)
    ]
    entity = razorpay.settle_at_razorpay(lines, day="2026-12-03")

    results = run_concurrently(
        lambda: settlement_pull(provider="razorpay", provider_settlement_id=entity["id"]),
        lambda: settlements_pull_day(provider="razorpay", day=date(2026, 12, 3)),
        lambda: settlement_pull(provider="razorpay", provider_settlement_id=entity["id"]),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Settlement.objects.count() == 1
    assert SettlementLine.objects.count() == 1203
    assert not SettlementLine.objects.filter(settlement__isnull=True).exists()
    settlement = settlements_statement().get()
    assert settlement.net == settlement.amount
    matched = SettlementLine.objects.filter(payment__isnull=False)
    assert set(matched.values_list("payment_id", flat=True)) == {p.pk for p in payments}
