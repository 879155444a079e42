import pytest

from bookings.models import Booking
from payments.models import Payment
from tests.conftest import client_for, run_concurrently
from tests.documented import DocumentedClient
from tests.factories import PujaPackageFactory, UserFactory
from tests.flows import booking_cart, start
from tests.payments.gateways.phonepe.fakes import (
    mock_pay,
    mock_status,
    mock_token,
    post_webhook,
    webhook_body,
)

pytestmark = pytest.mark.django_db(transaction=True)


def completed(order):
    return webhook_body(
        "checkout.order.completed", order["merchant_order_id"], order["amount"], "COMPLETED"
    )


@pytest.mark.parametrize("round_", range(3))
def test_webhook_and_status_polls_racing_give_exactly_one_booking(rsps, round_):
    mock_token(rsps)
    mock_pay(rsps)
    user = UserFactory()
    api = client_for(user)
    order = start(api, booking_cart(api, PujaPackageFactory(price="999.00")))
    mock_status(rsps, order["merchant_order_id"], "COMPLETED", 99900)
    Payment.objects.update(last_status_check_at=None)

    polls = [lambda: client_for(user).get(f"/api/payments/{order['id']}/check-booking/")] * 3
    hooks = [lambda: post_webhook(DocumentedClient(), completed(order))] * 3
    results = run_concurrently(*polls, *hooks)
    assert [r.status_code for r in results] == [200] * 6
    assert Booking.objects.count() == 1
    assert Payment.objects.get().bookings.count() == 1


def test_two_payments_racing_for_one_free_slot_give_one_booking_and_one_flag(rsps, settings):
    settings.CHECKOUT_HOLD_SECONDS = 0  # without holds both may start paying; one is refunded
    mock_token(rsps)
    mock_pay(rsps)
    package = PujaPackageFactory(price="999.00")
    orders = []
    for user in (UserFactory(), UserFactory()):
        api = client_for(user)
        orders.append(start(api, booking_cart(api, package, time="09:30")))
    for order in orders:
        mock_status(rsps, order["merchant_order_id"], "COMPLETED", 99900)

    results = run_concurrently(
        *[lambda o=o: post_webhook(DocumentedClient(), completed(o)) for o in orders]
    )
    assert [r.status_code for r in results] == [200, 200]
    assert Booking.objects.filter(status="CONFIRMED").count() == 1
    flagged = Payment.objects.get(needs_attention=True)
    assert "already booked" in flagged.attention_reason
