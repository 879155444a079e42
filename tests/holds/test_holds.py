"""Hold before pay: what a payment-first checkout needs is held while the shopper pays, so
a racing shopper is refused before paying (409 and when to try again), not refunded after."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bookings.models import Booking
from catalog.models import ProductVariant
from holds.models import Hold
from holds.services import holds_prune
from orders.models import Order
from payments.models import Payment, PaymentStatus, Refund
from tests.conftest import client_for
from tests.documented import DocumentedClient
from tests.factories import PujaPackageFactory, UserFactory, VariantFactory, future_slot
from tests.flows import add_to_cart, booking_cart, create_payment, start, verify
from tests.payments.conftest import act
from tests.payments.gateways.phonepe.fakes import mock_pay, mock_token
from tests.payments.gateways.razorpay.fakes import (
    mock_order_create,
    mock_refunds,
    orders_url,
    payment_entity,
    post_webhook,
    webhook_body,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoppers(rsps):
    mock_order_create(rsps)
    return client_for(UserFactory()), client_for(UserFactory())


@pytest.fixture
def last_two():
    return VariantFactory(price="100.00", stock=2)


def provider_orders(rsps) -> int:
    return sum(call.request.url == orders_url() for call in rsps.calls)


def test_a_second_shopper_is_refused_the_held_last_units_before_paying(shoppers, last_two, rsps):
    first, second = shoppers
    add_to_cart(first, last_two, 2)
    add_to_cart(second, last_two, 1)
    held = create_payment(first).json()
    assert held["held_until"] and 890 <= held["timeout"] <= 900

    refused = create_payment(second)
    assert refused.status_code == 409
    body = refused.json()
    assert "held by another shopper's checkout" in body["error"]
    assert parse_datetime(body["held_until"]) == parse_datetime(held["held_until"])
    assert body["held_until"].endswith("+05:30")
    assert Payment.objects.count() == 1 and provider_orders(rsps) == 1  # no provider order

    assert verify(first, held["razorpay_order_id"]).status_code == 200
    assert not Hold.objects.exists() and ProductVariant.objects.get().stock == 0
    gone = create_payment(second)
    assert gone.status_code == 400 and "out of stock" in gone.json()["error"]


def test_the_catalog_shows_what_is_available_beside_the_stock(shoppers, last_two):
    first, _ = shoppers
    add_to_cart(first, last_two, 1)
    create_payment(first)
    variant = DocumentedClient().get(f"/api/products/{last_two.product_id}/").json()["variants"][0]
    assert variant["stock"] == 2 and variant["available"] == 1


def test_a_new_payment_of_the_same_cart_takes_its_hold_over(shoppers, last_two):
    first, _ = shoppers
    add_to_cart(first, last_two, 2)
    one = create_payment(first).json()
    two = create_payment(first)
    assert two.status_code == 201
    hold = Hold.objects.get()
    assert str(hold.payment_id) == two.json()["payment_id"] and hold.quantity == 2
    assert parse_datetime(two.json()["held_until"]) >= parse_datetime(one["held_until"])
    # The earlier payment, paid after all, still gets the cart's units: it is the cart's.
    assert verify(first, one["razorpay_order_id"]).status_code == 200
    assert Order.objects.count() == 1 and not Hold.objects.exists()


def test_a_failed_payment_lets_its_hold_go(shoppers, last_two, anon_client):
    first, second = shoppers
    add_to_cart(first, last_two, 2)
    add_to_cart(second, last_two, 2)
    held = create_payment(first).json()
    failed = payment_entity(held["razorpay_order_id"], 20000, status="failed")
    post_webhook(anon_client, webhook_body("payment.failed", failed))
    assert Payment.objects.get().status == PaymentStatus.FAILED and not Hold.objects.exists()
    assert create_payment(second).status_code == 201


def test_a_hold_stops_counting_when_its_time_runs_out_without_any_job(shoppers, last_two):
    first, second = shoppers
    add_to_cart(first, last_two, 2)
    add_to_cart(second, last_two, 2)
    create_payment(first)
    Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert create_payment(second).status_code == 201


def test_a_provider_failure_leaves_no_hold_behind(last_two, rsps, api):
    rsps.add("POST", orders_url(), status=500, json={"error": {"code": "SERVER_ERROR"}})
    add_to_cart(api, last_two, 2)
    assert create_payment(api).status_code == 502
    assert not Hold.objects.exists() and Payment.objects.get().status == PaymentStatus.FAILED


def test_a_payment_completing_after_its_hold_lapsed_is_fulfilled_while_the_stock_is_free(
    shoppers, last_two
):
    first, _ = shoppers
    add_to_cart(first, last_two, 2)
    held = create_payment(first).json()
    Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert verify(first, held["razorpay_order_id"]).status_code == 200
    assert ProductVariant.objects.get().stock == 0


def test_a_payment_completing_after_its_hold_lapsed_and_another_took_it_is_refused_and_refunded(
    shoppers, last_two, rsps, django_capture_on_commit_callbacks
):
    first, second = shoppers
    add_to_cart(first, last_two, 2)
    add_to_cart(second, last_two, 2)
    late = create_payment(first).json()
    Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    taken = create_payment(second).json()
    mock_refunds(rsps, status="pending")

    with django_capture_on_commit_callbacks(execute=True):
        answer = verify(first, late["razorpay_order_id"])
    assert answer.status_code == 409 and answer.json()["refunded"] is True
    assert "held by another shopper's checkout" in answer.json()["error"]
    assert Refund.objects.get().payment_id == Payment.objects.get(pk=late["payment_id"]).pk
    assert verify(second, taken["razorpay_order_id"]).status_code == 200
    assert ProductVariant.objects.get().stock == 0 and Order.objects.count() == 1


def test_an_order_first_checkout_cannot_reserve_what_others_hold(shoppers, last_two):
    first, second = shoppers
    add_to_cart(first, last_two, 2)
    create_payment(first)
    add_to_cart(second, last_two, 1)
    from tests.payments.gateways.razorpay.fakes import ADDRESS

    refused = second.post(
        "/api/orders/", {"shipping_address": ADDRESS, "billing_address": ADDRESS}, format="json"
    )
    assert refused.status_code == 409 and refused.json()["held_until"]
    assert not Order.objects.exists()


def test_holds_off_lets_everyone_start_paying(shoppers, last_two, settings):
    settings.CHECKOUT_HOLD_SECONDS = 0
    first, second = shoppers
    add_to_cart(first, last_two, 2)
    add_to_cart(second, last_two, 2)
    assert create_payment(first).json()["held_until"] is None
    assert create_payment(second).status_code == 201 and not Hold.objects.exists()


# ---------------------------------------------------------------- slots
@pytest.fixture
def phonepe(rsps):
    mock_token(rsps)
    mock_pay(rsps)
    return rsps


def test_a_second_devotee_is_refused_a_slot_another_is_paying_for(phonepe, anon_client):
    package = PujaPackageFactory(price="999.00")
    first, second = client_for(UserFactory()), client_for(UserFactory())
    order = start(first, booking_cart(first, package))
    assert order["held_until"]
    sent = json.loads(
        next(c for c in phonepe.calls if "/checkout/v2/pay" in c.request.url).request.body
    )
    assert 890 <= sent["expireAfter"] <= 900  # PhonePe's pay page ends with the hold

    slot = future_slot()["selected_date"].isoformat()
    body = {
        "service_type": "PUJA",
        "puja_service": package.service_id,
        "package": package.pk,
        "selected_date": slot,
        "selected_time": "10:00",
    }
    refused = second.post("/api/cart/carts/", body, format="json")
    assert refused.status_code == 409 and refused.json()["held_until"]
    assert "held by another devotee's checkout" in refused.json()["error"]

    availability = anon_client.get(
        f"/api/booking/services/{package.service_id}/availability/", {"date": slot}
    ).json()
    assert availability["slot_capacity"] == 1
    assert availability["slots"] == [
        {
            "time": "10:00",
            "booked": 0,
            "held": 1,
            "capacity_left": 0,
            "held_until": availability["slots"][0]["held_until"],
        }
    ]
    assert availability["slots"][0]["held_until"]

    Payment.objects.update(status=PaymentStatus.PENDING)
    from payments.services.transitions import payment_mark_failed

    payment_mark_failed(payment_id=Payment.objects.get().pk, reason="declined")
    assert second.post("/api/cart/carts/", body, format="json").status_code == 201


def test_a_slot_with_a_capacity_takes_that_many_bookings_confirmed_and_held(phonepe):
    package = PujaPackageFactory(price="999.00", service__slot_capacity=2)
    devotees = [client_for(UserFactory()) for _ in range(3)]
    first = start(devotees[0], booking_cart(devotees[0], package))
    start(devotees[1], booking_cart(devotees[1], package))
    slot = future_slot()["selected_date"].isoformat()
    body = {
        "service_type": "PUJA",
        "puja_service": package.service_id,
        "package": package.pk,
        "selected_date": slot,
        "selected_time": "10:00",
    }
    assert devotees[2].post("/api/cart/carts/", body, format="json").status_code == 409

    from tests.payments.gateways.phonepe.fakes import mock_status
    from tests.payments.gateways.phonepe.fakes import post_webhook as phonepe_webhook
    from tests.payments.gateways.phonepe.fakes import webhook_body as phonepe_body

    mock_status(phonepe, first["merchant_order_id"], "COMPLETED", 99900)
    hook = phonepe_body("checkout.order.completed", first["merchant_order_id"], 99900, "COMPLETED")
    assert phonepe_webhook(DocumentedClient(), hook).status_code == 200
    assert Booking.objects.filter(status="CONFIRMED").count() == 1
    availability = (
        DocumentedClient()
        .get(f"/api/booking/services/{package.service_id}/availability/", {"date": slot})
        .json()["slots"][0]
    )
    assert (availability["booked"], availability["held"], availability["capacity_left"]) == (
        1,
        1,
        0,
    )
    assert devotees[2].post("/api/cart/carts/", body, format="json").status_code == 409
    Hold.objects.all().delete()
    assert devotees[2].post("/api/cart/carts/", body, format="json").status_code == 201


@pytest.mark.parametrize("query", [{}, {"date": "tomorrow"}, {"date": "2026-02-30"}])
def test_the_availability_of_a_day_needs_a_real_date(anon_client, query):
    package = PujaPackageFactory()
    answer = anon_client.get(f"/api/booking/services/{package.service_id}/availability/", query)
    assert answer.status_code == 400 and "date" in answer.json()["error"]
    missing = anon_client.get("/api/booking/services/999999/availability/", {"date": "2030-01-01"})
    assert missing.status_code == 404


def test_the_service_says_its_slot_capacity(anon_client):
    package = PujaPackageFactory(service__slot_capacity=3)
    assert (
        anon_client.get(f"/api/booking/services/{package.service_id}/").json()["slot_capacity"] == 3
    )


# ---------------------------------------------------------------- staff, metrics, pruning
def test_staff_see_who_holds_what_until_when_and_may_release_a_hold(
    shoppers, last_two, staff, settings
):
    first, second = shoppers
    add_to_cart(first, last_two, 2)
    add_to_cart(second, last_two, 2)
    create_payment(first)
    hold = Hold.objects.get()
    page = staff.get("/admin/holds/hold/?state=active").content.decode()
    assert hold.payment.user.email in page and last_two.sku in page
    health = staff.get("/admin/payment-health/").content.decode()
    assert "Holds of checkouts under way: 1" in health

    act(staff, "holds/hold", "release", hold.pk)
    assert not Hold.objects.exists()
    assert create_payment(second).status_code == 201


def test_lapsed_holds_are_counted_and_pruned_by_beat_after_a_day(shoppers, last_two, settings):
    first, _ = shoppers
    add_to_cart(first, last_two, 1)
    create_payment(first)
    settings.METRICS_TOKEN = "scrape"
    scrape = lambda: DocumentedClient().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape").content  # noqa: E731
    assert b"paycart_holds_active 1.0" in scrape()
    Hold.objects.update(expires_at=timezone.now() - timedelta(hours=1))
    assert b"paycart_holds_active 0.0" in scrape()
    assert b"paycart_holds_lapsed_unpaid 1.0" in scrape()
    assert holds_prune() == 0  # kept a day, to be seen
    Hold.objects.update(expires_at=timezone.now() - timedelta(hours=25))
    from holds.tasks import prune_lapsed_holds

    prune_lapsed_holds.delay()
    assert not Hold.objects.exists()
    call_command("check")
