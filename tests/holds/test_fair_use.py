"""Holds cannot be hoarded or undone: one user holds for at most CHECKOUT_HOLDS_PER_USER
checkouts at once (429 with when to come back, before any provider call), two checkouts of
one cart hold its units once, and a payment link's cart belongs to its link."""

from collections import Counter
from datetime import time

import pytest
from django.db.models import Sum

from holds.models import Hold
from payments.models import Payment, PaymentStatus
from tests.conftest import client_for, run_concurrently
from tests.factories import PujaPackageFactory, UserFactory, VariantFactory, future_slot
from tests.flows import add_to_cart, booking_cart, create_payment
from tests.payments.gateways.razorpay.fakes import mock_order_create, mock_payment_links, orders_url


def provider_orders(rsps) -> int:
    return sum(1 for call in rsps.calls if call.request.url == orders_url())


def held(**what) -> int:
    return Hold.objects.filter(**what).aggregate(n=Sum("quantity"))["n"] or 0


@pytest.mark.django_db
def test_a_fourth_open_checkout_is_refused_with_when_to_come_back_before_any_provider_call(
    api, rsps
):
    mock_order_create(rsps)
    package = PujaPackageFactory()
    carts = [booking_cart(api, package, time=f"{hour}:00") for hour in (9, 10, 11, 12)]
    for cart in carts[:3]:
        assert create_payment(api, cart_id=cart["cart_id"]).status_code == 201
    refused = create_payment(api, cart_id=carts[3]["cart_id"])
    assert refused.status_code == 429
    body = refused.json()
    assert "3 checkouts" in body["error"] and 800 < body["retry_after"] <= 901
    assert refused["Retry-After"] == str(body["retry_after"])
    assert provider_orders(rsps) == 3 and Payment.objects.count() == 3
    # A new payment of a cart already holding takes its hold over: it does not add one.
    assert create_payment(api, cart_id=carts[0]["cart_id"]).status_code == 201
    assert Hold.objects.values("cart").distinct().count() == 3


@pytest.mark.django_db
def test_the_cap_is_a_setting_and_a_finished_checkout_frees_its_place(api, rsps, settings):
    settings.CHECKOUT_HOLDS_PER_USER = 1
    mock_order_create(rsps)
    package = PujaPackageFactory()
    first, second = booking_cart(api, package, "09:00"), booking_cart(api, package, "10:00")
    created = create_payment(api, cart_id=first["cart_id"]).json()
    assert create_payment(api, cart_id=second["cart_id"]).status_code == 429
    from payments.services.transitions import payment_expire

    payment_expire(payment_id=created["payment_id"], reason="the shopper left")
    assert create_payment(api, cart_id=second["cart_id"]).status_code == 201


@pytest.mark.django_db
def test_payment_links_made_by_staff_do_not_count_against_their_customer(rsps, settings):
    from payments.providers.razorpay.links import payment_link_create

    settings.CHECKOUT_HOLDS_PER_USER = 1
    mock_order_create(rsps)
    mock_payment_links(rsps)
    customer = UserFactory(email="devotee@example.com")
    package = PujaPackageFactory()
    for hour in (9, 10):
        payment_link_create(
            staff=UserFactory(is_staff=True),
            customer={"email": customer.email},
            callback_url="https://shop.example.com/cb",
            booking={
                "puja_service": package.service_id,
                "package": package.pk,
                "selected_date": future_slot()["selected_date"],
                "selected_time": time(hour, 0),
            },
        )
    api = client_for(customer)
    own = booking_cart(api, package, "11:00")
    assert create_payment(api, cart_id=own["cart_id"]).status_code == 201


@pytest.mark.django_db
def test_a_payment_links_cart_is_neither_listed_nor_accepted_by_the_customers_cart_apis(rsps):
    from payments.providers.razorpay.links import payment_link_create

    mock_order_create(rsps)
    mock_payment_links(rsps)
    customer = UserFactory(email="devotee@example.com")
    package = PujaPackageFactory()
    slot = future_slot()
    link = payment_link_create(
        staff=UserFactory(is_staff=True),
        customer={"email": customer.email},
        callback_url="https://shop.example.com/cb",
        booking={"puja_service": package.service_id, "package": package.pk, **{
            "selected_date": slot["selected_date"], "selected_time": slot["selected_time"]}},
    )  # fmt: skip
    cart = link.payment.cart
    api = client_for(customer)
    assert api.get("/api/cart/carts/").json() == []
    assert api.get(f"/api/cart/carts/{cart.pk}/").status_code == 404
    refused = create_payment(api, cart_id=cart.cart_id)
    assert refused.status_code == 404 and provider_orders(rsps) == 0
    assert api.delete(f"/api/cart/carts/{cart.pk}/").status_code == 404
    # The link still holds its slot, and is the one payment of its cart.
    assert held(slot__isnull=False) == 1 and Hold.objects.get().payment_id == link.payment_id
    assert Payment.objects.filter(cart=cart).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_of_one_cart_at_once_hold_its_units_once(rsps):
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=4)
    shopper = client_for(UserFactory())
    add_to_cart(shopper, variant, 2)
    for _ in range(3):
        results = run_concurrently(lambda: create_payment(shopper), lambda: create_payment(shopper))
        assert [r.status_code for r in results] == [201, 201]
        assert held(variant=variant) == 2
    # So another shopper can buy the other two units.
    other = client_for(UserFactory())
    add_to_cart(other, variant, 2)
    assert create_payment(other).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_racing_checkouts_of_one_user_never_pass_the_cap(rsps, settings):
    settings.CHECKOUT_HOLDS_PER_USER = 2
    mock_order_create(rsps)
    package = PujaPackageFactory()
    shopper = client_for(UserFactory())
    carts = [booking_cart(shopper, package, f"{hour}:00") for hour in (9, 10, 11, 12)]
    results = run_concurrently(
        *[lambda c=c: create_payment(shopper, cart_id=c["cart_id"]) for c in carts]
    )
    assert Counter(r.status_code for r in results) == {201: 2, 429: 2}
    assert Hold.objects.values("cart").distinct().count() == 2
    assert Payment.objects.filter(status=PaymentStatus.INITIATED).count() == 2
