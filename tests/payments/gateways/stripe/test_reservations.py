from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import ProductVariant
from orders.models import Order, OrderStatus
from payments.models import Payment, PaymentStatus
from tests.conftest import client_for, run_concurrently
from tests.factories import UserFactory, VariantFactory
from tests.flows import add_to_cart, checkout
from tests.payments.gateways.stripe.fakes import (
    completed_session,
    event_body,
    mock_session_create,
    mock_session_expire,
    post_event,
    sessions_url,
)


def age_orders(seconds):
    Order.objects.update(created_at=timezone.now() - timedelta(seconds=seconds))


def mock_session_retrieve(rsps, session):
    rsps.add("GET", f"{sessions_url()}/{session['id']}", json=session)


@pytest.mark.django_db
def test_ttl_release_cancels_stale_reservations_once_and_closes_the_session(api, rsps, settings):
    settings.ORDER_RESERVATION_TTL_SECONDS = 600
    sessions = mock_session_create(rsps)
    mock_session_expire(rsps)
    variant = VariantFactory(stock=5)
    add_to_cart(api, variant, 2)
    order_id = checkout(api).json()["orderId"]
    mock_session_retrieve(rsps, sessions[0])

    call_command("release_expired_reservations")  # not stale yet
    assert Order.objects.get(pk=order_id).status == OrderStatus.PENDING_PAYMENT

    age_orders(700)
    call_command("release_expired_reservations")
    call_command("release_expired_reservations")
    assert Order.objects.get(pk=order_id).status == OrderStatus.CANCELLED
    assert ProductVariant.objects.get(pk=variant.pk).stock == 5
    assert Payment.objects.get().status == PaymentStatus.EXPIRED
    assert any(c.request.url.endswith(f"/{sessions[0]['id']}/expire") for c in rsps.calls)

    # Stripe then reports the session expired: nothing is given back twice.
    post_event(
        client_for(Order.objects.get().user), event_body("checkout.session.expired", sessions[0])
    )
    assert ProductVariant.objects.get(pk=variant.pk).stock == 5


@pytest.mark.django_db
def test_ttl_release_fulfils_a_reservation_that_was_paid_after_all(api, rsps):
    sessions = mock_session_create(rsps)
    variant = VariantFactory(stock=5)
    add_to_cart(api, variant, 2)
    order_id = checkout(api).json()["orderId"]
    mock_session_retrieve(rsps, completed_session(sessions[0]))
    age_orders(10_000)
    call_command("release_expired_reservations")
    assert Order.objects.get(pk=order_id).status == OrderStatus.PAYMENT_CONFIRMED
    assert ProductVariant.objects.get(pk=variant.pk).stock == 3


@pytest.mark.django_db
def test_ttl_release_waits_when_stripe_cannot_be_asked(api, rsps):
    sessions = mock_session_create(rsps)
    add_to_cart(api, VariantFactory(stock=5), 1)
    order_id = checkout(api).json()["orderId"]
    rsps.add("GET", f"{sessions_url()}/{sessions[0]['id']}", status=503, json={})
    rsps.add("POST", f"{sessions_url()}/{sessions[0]['id']}/expire", status=503, json={})
    age_orders(10_000)
    call_command("release_expired_reservations")
    assert Order.objects.get(pk=order_id).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.django_db(transaction=True)
def test_two_shoppers_checking_out_the_last_unit_get_one_order_and_one_clear_400(rsps):
    mock_session_create(rsps)
    mock_session_expire(rsps)
    variant = VariantFactory(stock=1)
    shoppers = [client_for(UserFactory()) for _ in range(2)]
    for api in shoppers:
        add_to_cart(api, variant, 1)
    results = run_concurrently(*[lambda api=api: checkout(api) for api in shoppers])
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 400]
    refused = next(r for r in results if r.status_code == 400)
    assert variant.product.name in refused.json()["error"]
    assert ProductVariant.objects.get(pk=variant.pk).stock == 0
    assert Order.objects.filter(status=OrderStatus.PENDING_PAYMENT).count() == 1
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_left_by_a_crash_mid_checkout_is_closed_and_discarded(api, user, rsps):
    from orders.services import order_draft_from_cart
    from payments.services.checkout import payment_for_order, payment_open_at_provider

    sessions = mock_session_create(rsps)
    mock_session_expire(rsps)
    variant = VariantFactory(stock=5)
    add_to_cart(api, variant, 1)
    # The first two checkout steps ran, then the process died before the reservation.
    draft = order_draft_from_cart(user=user, shipping_address={}, billing_address={})
    payment = payment_for_order(order=draft, provider="stripe")
    payment_open_at_provider(payment=payment, return_url=f"https://shop.test/{draft.pk}")
    mock_session_retrieve(rsps, sessions[0])
    age_orders(10_000)

    call_command("release_expired_reservations")
    assert not Order.objects.exists()
    assert Payment.objects.get().status == PaymentStatus.EXPIRED
    assert any(c.request.url.endswith(f"/{sessions[0]['id']}/expire") for c in rsps.calls)
    assert ProductVariant.objects.get(pk=variant.pk).stock == 5
    assert len(api.get("/api/cart/").json()["items"]) == 1
