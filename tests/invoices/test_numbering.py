"""Document numbers on real threads against PostgreSQL: racing fulfilments get consecutive
numbers with no gap and no repeat, the financial year starts its own series at 1 April (in
the shop's time zone), and a sale rolled back gives its number back."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from cart.lines import product_line
from invoices.models import TaxDocument
from invoices.services import financial_year, invoice_issue
from payments.models import Payment
from payments.services.fulfilment import payment_fulfil
from tests.conftest import run_concurrently
from tests.factories import OrderFactory, PaymentFactory, paid_charge

pytestmark = pytest.mark.django_db(transaction=True)


def test_racing_fulfilments_number_their_invoices_without_gaps():
    payments = [PaymentFactory() for _ in range(8)]
    results = run_concurrently(
        *[
            lambda payment=payment: payment_fulfil(
                payment_id=payment.pk, charge=paid_charge(payment)
            )
            for payment in payments
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    serials = sorted(TaxDocument.objects.values_list("serial", flat=True))
    assert serials == list(range(1, 9))
    assert Payment.objects.filter(fulfilled_at__isnull=False).count() == 8


def _issue_at(at: datetime.datetime, order) -> TaxDocument | None:
    """An order-first order's invoice issued as if at `at` (its sale's transaction)."""
    lines = [
        product_line(
            product_id=item.product_id, variant_id=item.variant_id, product_name=item.product_name,
            variant_name=item.variant_name, unit_price=item.unit_price, quantity=item.quantity,
            tax_code="7418", gst_rate=Decimal("12"),
        )
        for item in order.items.all()
    ]  # fmt: skip
    with transaction.atomic():
        return invoice_issue(
            user_id=order.user_id,
            lines=list(lines),
            discount=order.discount_total,
            shipping_address=order.shipping_address,
            billing_address=order.billing_address,
            order=order,
            at=at,
        )


def test_the_financial_year_starts_a_series_at_1_april_whoever_races():
    zone = timezone.get_current_timezone()
    march_end = datetime.datetime(2027, 3, 31, 23, 59, 59, tzinfo=zone)
    april_start = datetime.datetime(2027, 4, 1, 0, 0, 0, tzinfo=zone)
    assert (financial_year(march_end), financial_year(april_start)) == ("2627", "2728")
    orders = [OrderFactory(state="pending_payment") for _ in range(6)]
    results = run_concurrently(
        *[
            lambda order=order, n=n: _issue_at(march_end if n % 2 else april_start, order)
            for n, order in enumerate(orders)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    late_march = sorted(
        TaxDocument.objects.filter(financial_year="2627").values_list("serial", flat=True)
    )
    april = sorted(
        TaxDocument.objects.filter(financial_year="2728").values_list("serial", flat=True)
    )
    assert late_march == [1, 2, 3] and april == [1, 2, 3]
    assert TaxDocument.objects.get(financial_year="2728", serial=1).number == "INV/2728/000001"


def test_a_rolled_back_sale_gives_its_number_back():
    first, second = (PaymentFactory() for _ in range(2))
    with pytest.raises(RuntimeError), transaction.atomic():
        payment_fulfil(payment_id=first.pk, charge=paid_charge(first))
        raise RuntimeError("the transaction the sale was in failed after it")
    payment_fulfil(payment_id=second.pk, charge=paid_charge(second))
    assert list(TaxDocument.objects.values_list("number", flat=True)) == [
        f"INV/{financial_year(timezone.now())}/000001"
    ]
