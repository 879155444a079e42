from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from tests.conftest import client_for
from tests.factories import CouponFactory, PujaPackageFactory, future_slot

pytestmark = pytest.mark.django_db


def booking_body(package_obj, **overrides):
    slot = future_slot()
    return {
        "service_type": "PUJA",
        "puja_service": package_obj.service_id,
        "package": package_obj.pk,
        "selected_date": slot["selected_date"].isoformat(),
        "selected_time": "10:00",
    } | overrides


def test_booking_cart_is_created_with_a_public_cart_id_and_server_total(api, user):
    package = PujaPackageFactory(price="3189.93")
    response = api.post("/api/cart/carts/", booking_body(package), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["cart_id"] == f"CART_USER{user.pk}_{body['id']:03d}"
    assert body["user"] == user.pk
    assert body["status"] == "ACTIVE"
    assert body["total_price"] == "3189.93"
    assert body["created_at"]


def test_booking_cart_promo_code_discounts_its_total(api):
    CouponFactory(code="DISCOUNT10", value=10)
    package = PujaPackageFactory(price="999.00")
    body = api.post(
        "/api/cart/carts/", booking_body(package, promo_code="discount10"), format="json"
    ).json()
    assert body["promo_code"] == "DISCOUNT10"
    assert body["total_price"] == "899.10"


def test_unknown_promo_code_is_refused(api):
    response = api.post(
        "/api/cart/carts/", booking_body(PujaPackageFactory(), promo_code="NOPE"), format="json"
    )
    assert response.status_code == 400
    assert "Invalid coupon" in response.json()["error"]


def test_date_in_the_past_is_refused(api):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api.post(
        "/api/cart/carts/",
        booking_body(PujaPackageFactory(), selected_date=yesterday),
        format="json",
    )
    assert response.status_code == 400
    assert "past" in response.json()["error"]


def test_a_held_slot_is_refused(api, other_user):
    package = PujaPackageFactory()
    slot = future_slot()
    Booking.objects.create(
        user=other_user,
        puja_service=package.service,
        package=package,
        total_amount=package.price,
        **slot,
    )
    response = api.post(
        "/api/cart/carts/",
        booking_body(
            package, selected_date=slot["selected_date"].isoformat(), selected_time="10:00"
        ),
        format="json",
    )
    assert response.status_code == 400
    assert "already booked" in response.json()["error"]


def test_package_of_another_service_is_refused(api):
    package = PujaPackageFactory()
    other = PujaPackageFactory()
    response = api.post("/api/cart/carts/", booking_body(package, package=other.pk), format="json")
    assert response.status_code == 400


def test_missing_fields_are_refused(api):
    response = api.post("/api/cart/carts/", {"service_type": "PUJA"}, format="json")
    assert response.status_code == 400
    assert response.json()["details"]


def test_list_and_delete_own_carts_only(api, other_user):
    package = PujaPackageFactory()
    mine = api.post("/api/cart/carts/", booking_body(package), format="json").json()
    theirs = (
        client_for(other_user)
        .post("/api/cart/carts/", booking_body(package, selected_time="11:00"), format="json")
        .json()
    )
    listed = [cart["cart_id"] for cart in api.get("/api/cart/carts/").json()]
    assert mine["cart_id"] in listed and theirs["cart_id"] not in listed
    assert api.delete(f"/api/cart/carts/{theirs['id']}/").status_code == 404
    assert api.delete(f"/api/cart/carts/{mine['cart_id']}/").status_code == 204
    assert mine["cart_id"] not in [c["cart_id"] for c in api.get("/api/cart/carts/").json()]


def test_a_slot_takes_no_more_confirmed_bookings_than_its_capacity(user):
    from bookings.services import booking_create_confirmed
    from config.exceptions import Unfulfillable

    package = PujaPackageFactory(service__slot_capacity=2)
    line = {
        "puja_service_id": package.service_id,
        "package_id": package.pk,
        "service_name": package.service.name,
        "package_name": package.name,
        "selected_date": future_slot()["selected_date"].isoformat(),
        "selected_time": "09:00",
    }
    for _ in range(2):
        booking_create_confirmed(user_id=user.pk, line=line, total_amount=1, payment=None)
    with pytest.raises(Unfulfillable, match="already booked"):
        booking_create_confirmed(user_id=user.pk, line=line, total_amount=1, payment=None)
    Booking.objects.update(status="CANCELLED")  # the slot is free again
    booking_create_confirmed(user_id=user.pk, line=line, total_amount=1, payment=None)
