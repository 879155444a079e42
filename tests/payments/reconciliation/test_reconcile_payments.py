from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import Order
from payments.models import Payment, PaymentStatus
from tests.conftest import client_for
from tests.factories import VariantFactory
from tests.flows import add_to_cart, create_payment
from tests.payments.gateways.razorpay.fakes import (
    mock_order_create,
    mock_order_payments,
    orders_url,
    payment_entity,
)

pytestmark = pytest.mark.django_db


def age(payment_id, seconds):
    Payment.objects.filter(pk=payment_id).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )


@pytest.fixture
def stale_payment(api, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    create_payment(api)
    payment = Payment.objects.get()
    age(payment.pk, 1000)
    return payment


def test_a_lost_webhook_is_recovered_by_reconciliation(stale_payment, rsps):
    mock_order_payments(
        rsps,
        stale_payment.provider_order_id,
        [payment_entity(stale_payment.provider_order_id, 10000)],
    )
    call_command("reconcile_payments", "--older-than", "900")
    stale_payment.refresh_from_db()
    assert stale_payment.status == PaymentStatus.SUCCESS
    assert Order.objects.get() == stale_payment.order


def test_a_payment_without_a_provider_order_is_expired(stale_payment, rsps):
    Payment.objects.filter(pk=stale_payment.pk).update(provider_order_id=None)
    call_command("reconcile_payments")
    stale_payment.refresh_from_db()
    assert stale_payment.status == PaymentStatus.EXPIRED
    assert not [c for c in rsps.calls if "/payments" in c.request.url]


def test_recent_payments_are_left_alone(stale_payment, rsps):
    age(stale_payment.pk, 10)
    call_command("reconcile_payments", "--older-than", "900")
    stale_payment.refresh_from_db()
    assert stale_payment.status == PaymentStatus.INITIATED


def test_unpaid_payment_past_expiry_is_expired(stale_payment, rsps, settings):
    settings.PAYMENT_EXPIRY_SECONDS = 500
    mock_order_payments(rsps, stale_payment.provider_order_id, [])
    call_command("reconcile_payments")
    stale_payment.refresh_from_db()
    assert stale_payment.status == PaymentStatus.EXPIRED
    assert not Order.objects.exists()


def test_provider_down_during_reconciliation_leaves_the_payment_open(stale_payment, rsps):
    rsps.add(
        "GET", f"{orders_url()}/{stale_payment.provider_order_id}/payments", status=503, body=""
    )
    call_command("reconcile_payments")
    stale_payment.refresh_from_db()
    assert stale_payment.is_open


@pytest.mark.django_db(transaction=True)
def test_reconciliation_on_two_machines_at_once_asks_once_and_fulfils_once(rsps):
    from catalog.models import ProductVariant
    from payments.services.reconciliation import payments_reconcile
    from tests.conftest import client_for, run_concurrently
    from tests.factories import UserFactory

    mock_order_create(rsps)
    api = client_for(UserFactory())
    variant = VariantFactory(price="100.00", stock=5)
    add_to_cart(api, variant, 1)
    create_payment(api)
    payment = Payment.objects.get()
    age(payment.pk, 1000)
    mock_order_payments(
        rsps, payment.provider_order_id, [payment_entity(payment.provider_order_id, 10000)]
    )

    run_concurrently(*[lambda: payments_reconcile(older_than_seconds=900)] * 2)
    asked = [c for c in rsps.calls if c.request.url.split("?")[0].endswith("/payments")]
    assert len(asked) == 1
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(pk=variant.pk).stock == 4


def test_one_payment_that_raises_is_logged_and_skipped_and_the_run_goes_on(
    api, other_user, rsps, caplog
):
    mock_order_create(rsps)
    payments = []
    for client in (api, client_for(other_user)):
        add_to_cart(client, VariantFactory(price="100.00", stock=5), 1)
        payments.append(Payment.objects.get(pk=create_payment(client).json()["payment_id"]))
    broken, good = payments
    # A snapshot nothing can be built from: fulfilment raises for this payment only.
    Payment.objects.filter(pk=broken.pk).update(cart_snapshot={})
    for payment in payments:
        age(payment.pk, 1000)
        mock_order_payments(
            rsps, payment.provider_order_id, [payment_entity(payment.provider_order_id, 10000)]
        )
    out = StringIO()
    call_command("reconcile_payments", "--older-than", "900", stdout=out)
    good.refresh_from_db()
    broken.refresh_from_db()
    assert good.status == PaymentStatus.SUCCESS and good.order is not None
    assert broken.status == PaymentStatus.INITIATED and broken.order is None
    assert "1 errors" in out.getvalue() and "1 success" in out.getvalue()
    assert str(broken.pk) in caplog.text and "KeyError" in caplog.text
    assert "Traceback" not in caplog.text
