"""Staff refunds and webhook replay from admin; a failure mid-fulfilment loses nothing."""

import pytest
from django.db import connection

from bookings.models import Booking, BookingStatus
from catalog.models import ProductVariant
from orders.models import Order, OrderStatus
from payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from tests.factories import PujaPackageFactory, VariantFactory
from tests.flows import add_to_cart, booking_cart, create_payment, verify
from tests.payments.conftest import act
from tests.payments.gateways.razorpay.fakes import (
    mock_order_create,
    mock_refunds,
    payment_entity,
    post_webhook,
    webhook_body,
)

pytestmark = pytest.mark.django_db


def test_staff_refund_in_full_gives_the_stock_back_and_marks_the_order_refunded(
    staff, rsps, paid_order, django_capture_on_commit_callbacks
):
    sent = mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_in_full", paid_order.pk, apply="1", reason="damaged")
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.REFUNDED and paid_order.payment_status == "refunded"
    assert ProductVariant.objects.get().stock == 5
    refund = Refund.objects.get()
    assert refund.automatic is False and refund.requested_by.email == "ops@example.com"
    assert refund.status == RefundStatus.PROCESSED and str(refund.amount) == "200.00"
    assert len(sent) == 1 and Payment.objects.get().status == PaymentStatus.REFUNDED
    again = act(staff, "orders/order", "refund_in_full", paid_order.pk, apply="1", reason="again")
    assert (
        "Nothing was paid" in again.content.decode() or "left to refund" in again.content.decode()
    )
    assert len(sent) == 1


def test_a_partial_refund_leaves_the_order_and_never_exceeds_what_was_paid(
    staff, rsps, paid_order, django_capture_on_commit_callbacks
):
    sent = mock_refunds(rsps)
    page = act(staff, "orders/order", "refund_part", paid_order.pk)
    assert "200.00" in page.content.decode()  # what can still be refunded
    too_much = act(
        staff, "orders/order", "refund_part", paid_order.pk, apply="1", amount="250", reason="r"
    )
    assert "left to refund" in too_much.content.decode() and not Refund.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        act(
            staff,
            "orders/order",
            "refund_part",
            paid_order.pk,
            apply="1",
            amount="50.00",
            reason="r",
        )
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAYMENT_CONFIRMED
    assert str(Refund.objects.get().amount) == "50.00" and len(sent) == 1
    assert Payment.objects.get().status == PaymentStatus.SUCCESS


def test_staff_refund_of_a_booking_cancels_it_and_frees_the_slot(
    api, staff, rsps, django_capture_on_commit_callbacks
):
    mock_order_create(rsps)
    package = PujaPackageFactory(price="999.00")
    cart = booking_cart(api, package)
    order_id = create_payment(api, cart_id=cart["cart_id"]).json()["razorpay_order_id"]
    assert verify(api, order_id, payment_id="pay_BOOKING").status_code == 200
    booking = Booking.objects.get()
    mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "bookings/booking", "refund_in_full", booking.pk, apply="1", reason="ill")
    assert Booking.objects.get().status == BookingStatus.CANCELLED
    assert booking_cart(api, package)["cart_id"] != cart["cart_id"]  # the slot is free again


def test_a_database_error_mid_fulfilment_rolls_back_answers_5xx_and_the_retry_makes_one_order(
    api, anon_client, rsps
):
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    add_to_cart(api, variant, 2)
    order_id = create_payment(api).json()["razorpay_order_id"]
    with connection.cursor() as cursor:  # the database refuses new orders for a while
        cursor.execute(
            "CREATE FUNCTION paycart_refuse() RETURNS trigger AS $$ BEGIN "
            "IF current_setting('paycart.refuse_orders', true) = 'on' THEN "
            "RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER paycart_refuse BEFORE INSERT ON orders_order "
            "FOR EACH ROW EXECUTE FUNCTION paycart_refuse()"
        )
        cursor.execute("SET paycart.refuse_orders = 'on'")
    body = webhook_body("payment.captured", payment_entity(order_id, 20000))
    failed = post_webhook(anon_client, body, event_id="evt_FLAKY")
    assert failed.status_code == 503 and failed.json()["error"]
    assert not Order.objects.exists() and ProductVariant.objects.get().stock == 5
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.INITIATED
    event = WebhookEvent.objects.get()
    assert event.status == "FAILED" and "injected failure" in event.error

    with connection.cursor() as cursor:
        cursor.execute("SET paycart.refuse_orders = 'off'")
    retried = post_webhook(anon_client, body, event_id="evt_FLAKY")
    assert retried.status_code == 200
    assert Order.objects.count() == 1 and ProductVariant.objects.get().stock == 3
    assert WebhookEvent.objects.get().status == "PROCESSED"


def test_replaying_a_stored_delivery_from_admin_is_idempotent(api, anon_client, staff, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 2)
    order_id = create_payment(api).json()["razorpay_order_id"]
    body = webhook_body("payment.captured", payment_entity(order_id, 20000))
    post_webhook(anon_client, body)
    event = WebhookEvent.objects.get()
    for _ in range(2):
        page = act(staff, "payments/webhookevent", "replay", event.pk)
        assert "replayed" in page.content.decode()
    assert Order.objects.count() == 1 and ProductVariant.objects.get().stock == 3
    event.refresh_from_db()
    assert event.attempts == 3 and event.status == "PROCESSED"

    post_webhook(anon_client, body, signature="forged")
    unsigned = WebhookEvent.objects.get(signature_valid=False)
    page = act(staff, "payments/webhookevent", "replay", unsigned.pk)
    assert "signature verified" in page.content.decode()
