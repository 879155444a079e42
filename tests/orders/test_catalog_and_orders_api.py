import re

import pytest

from orders.models import Order, OrderStatus
from tests.conftest import client_for
from tests.factories import PujaPackageFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_products_are_public_with_variants_and_stock(anon_client):
    variant = VariantFactory(price="249.00", stock=7)
    body = anon_client.get("/api/products/").json()
    assert body[0]["variants"][0] == {
        "id": variant.pk, "name": "Standard", "sku": variant.sku, "price": "249.00", "stock": 7,
        "available": 7,
    }  # fmt: skip
    assert anon_client.get(f"/api/products/{variant.product_id}/").status_code == 200
    assert anon_client.get("/api/products/999999/").status_code == 404


def test_puja_services_are_public_with_packages(anon_client):
    package = PujaPackageFactory(price="999.00", duration_minutes=60)
    body = anon_client.get(f"/api/booking/services/{package.service_id}/").json()
    policy = {"cancel_until_hours": 24, "cancel_fee_percent": "0.00"}
    assert body["packages"] == [
        {"id": package.pk, "name": "Basic", "price": "999.00", "duration_minutes": 60} | policy
    ]


def _order(user, **fields):
    return Order.objects.create_numbered(
        user=user, status=OrderStatus.PENDING_PAYMENT, subtotal=10, total=10, **fields
    )


def test_order_numbers_are_date_plus_at_least_four_digits_and_unique(user):
    numbers = {_order(user).order_number for _ in range(3)}
    assert len(numbers) == 3
    assert all(re.fullmatch(r"\d{8}\d{4,}", number) for number in numbers)


def test_orders_are_listed_for_their_owner_only(api, user, other_user):
    mine = _order(user)
    theirs = _order(other_user)
    assert [o["order_number"] for o in api.get("/api/orders/").json()] == [mine.order_number]
    assert api.get(f"/api/orders/{mine.pk}/").status_code == 200
    assert api.get(f"/api/orders/{theirs.pk}/").status_code == 404
    assert client_for(other_user).get(f"/api/orders/{theirs.pk}/").status_code == 200


def test_another_users_booking_is_404(api, other_user):
    from bookings.models import Booking
    from tests.factories import future_slot

    package = PujaPackageFactory()
    booking = Booking.objects.create(
        user=other_user,
        puja_service=package.service,
        package=package,
        total_amount=1,
        **future_slot(),
    )
    assert re.fullmatch(r"BK-[0-9A-F]{8}", booking.book_id)
    assert api.get(f"/api/booking/bookings/{booking.pk}/").status_code == 404
    assert api.get("/api/booking/bookings/").json() == []
    assert client_for(other_user).get(f"/api/booking/bookings/{booking.pk}/").json()["book_id"] == (
        booking.book_id
    )
