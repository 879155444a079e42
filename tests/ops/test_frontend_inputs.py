"""What the existing frontends send is accepted, and nothing anyone sends gets a 5xx."""

import json

import pytest
from django.test import override_settings

from cart.models import Cart
from payments.models import Payment
from tests.factories import PujaPackageFactory, VariantFactory, future_slot
from tests.payments.gateways.phonepe.fakes import mock_pay, mock_token
from tests.payments.gateways.razorpay.fakes import ADDRESS, mock_order_create

pytestmark = pytest.mark.django_db


def booking(api, package, selected_time, **extra):
    body = {
        "service_type": "PUJA",
        "puja_service": package.service_id,
        "package": package.pk,
        "selected_date": future_slot()["selected_date"].isoformat(),
        "selected_time": selected_time,
    } | extra
    return api.post("/api/cart/carts/", body, format="json")


# ---------------------------------------------------------------- slot times
@pytest.mark.parametrize(
    ("spelled", "stored"),
    [
        ("10:00 AM", "10:00"),
        ("10:00", "10:00"),
        ("10:00:00", "10:00"),
        ("6:30 PM", "18:30"),
        ("07:15 pm", "19:15"),
        (" 12:00  am ", "00:00"),
    ],
)
def test_booking_carts_accept_every_spelling_of_a_time(api, spelled, stored):
    response = booking(api, PujaPackageFactory(), spelled)
    assert response.status_code == 201, response.json()
    assert response.json()["selected_time"].startswith(stored)


def test_one_time_is_one_slot_whatever_its_spelling(api, rsps):
    from bookings.models import Booking, BookingStatus

    package = PujaPackageFactory()
    first = booking(api, package, "6:30 PM").json()
    Booking.objects.create(
        user_id=first["user"],
        puja_service_id=package.service_id,
        package=package,
        selected_date=first["selected_date"],
        selected_time="18:30",
        status=BookingStatus.CONFIRMED,
        total_amount=package.price,
    )
    taken = booking(api, package, "18:30:00")
    assert taken.status_code == 400 and "already booked" in taken.json()["error"]


@pytest.mark.parametrize("nonsense", ["25:99 XM", "13:00 PM", "ten", "10:61", ""])
def test_a_nonsense_time_is_a_clear_400(api, nonsense):
    response = booking(api, PujaPackageFactory(), nonsense)
    assert response.status_code == 400 and "selected_time" in response.json()["error"]


# ---------------------------------------------------------------- null and "" mean not given
def test_null_and_empty_optional_fields_mean_not_given(api, rsps):
    package = PujaPackageFactory(price="999.00")
    for promo in (None, ""):
        response = booking(api, package, "11:00", promo_code=promo)
        assert response.status_code == 201 and response.json()["promo_code"] == ""
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    added = api.post(
        "/api/cart/items/",
        {"product_id": variant.product_id, "variant_id": None, "quantity": 1},
        format="json",
    )
    assert added.status_code == 201
    address = ADDRESS | {"address_line_2": None, "phone": ""}
    body = {
        "shipping_address": address,
        "billing_address": address,
        "payment_method": "razorpay",
        "currency": "INR",
        "coupon_code": None,
        "cart_id": "",
    }
    response = api.post("/api/payments/create-from-cart/", body, format="json")
    assert response.status_code == 201, response.json()


# ---------------------------------------------------------------- addresses
def create_with(api, rsps, address):
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    api.post("/api/cart/items/", {"product_id": variant.product_id, "quantity": 1}, format="json")
    body = {"shipping_address": address, "billing_address": address, "payment_method": "razorpay"}
    return api.post("/api/payments/create-from-cart/", body, format="json")


@pytest.mark.parametrize("country", ["IN", "India", "india", "IND", "in"])
def test_addresses_take_full_name_no_phone_and_a_country_name(api, user, rsps, country):
    address = {
        "full_name": "Asha Devi Rao",
        "address_line_1": "12 Temple Road",
        "city": "Bengaluru",
        "state": "KA",
        "postal_code": "560001",
        "country": country,
    }
    user.phone = "9000000001"
    user.save()
    response = create_with(api, rsps, address)
    assert response.status_code == 201, response.json()
    assert response.json()["prefill"]["contact"] == "9000000001"
    stored = Payment.objects.get().shipping_address
    assert stored["first_name"] == "Asha" and stored["last_name"] == "Devi Rao"
    assert stored["country"] == "IN" and stored["phone"] == "" and "full_name" not in stored


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("name", "first_name"),
        ("address_line_1", "address_line_1"),
        ("city", "city"),
        ("postal_code", "postal_code"),
    ],
)
def test_an_address_missing_an_essential_is_a_400_naming_it(api, rsps, missing, named):
    address = dict(ADDRESS)
    if missing == "name":
        del address["first_name"], address["last_name"]
    else:
        del address[missing]
    response = create_with(api, rsps, address)
    assert response.status_code == 400 and named in response.json()["error"]
    assert not Payment.objects.exists()


def test_an_unknown_country_is_a_400(api, rsps):
    response = create_with(api, rsps, ADDRESS | {"country": "Atlantis"})
    assert response.status_code == 400 and "country" in response.json()["error"]


# ---------------------------------------------------------------- JSON everywhere, no 5xx
@pytest.mark.parametrize("debug", [True, False])
def test_every_api_error_is_json_with_debug_on_or_off(api, anon_client, debug):
    with override_settings(DEBUG=debug):
        unknown = anon_client.get("/api/no-such-thing/")
        wrong_method = api.put("/api/cart/", {}, format="json")
        unrouted_method = anon_client.delete("/api/health/")
    assert unknown.status_code == 404 and unknown.json()["error"]
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]
    assert unrouted_method.status_code == 405 and unrouted_method.json()["error"]


def test_a_bad_host_header_gets_a_json_400():
    from django.test import Client

    # (The health probes alone answer any Host: tests/ops/test_operations.py.)
    client = Client(raise_request_exception=False)  # answered as a server answers it
    response = client.get("/api/products/", HTTP_HOST="evil.example.net")
    assert response.status_code == 400 and response.json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/cart/carts/%C2%B9/",
        "/api/payments/cart/status/%C2%B9/",
        "/api/payments/status/MO%00x/",
        "/api/orders/99999999999999999999999/",
        "/api/cart/items/%D9%A1%D9%A2/",
    ],
)
def test_unicode_digits_nul_bytes_and_huge_ids_in_paths_are_404(api, path):
    response = api.get(path)
    assert response.status_code == 404 and response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"cart_id": "¹"},
        {"cart_id": "CART\x00"},
        {"cart_id": "9" * 40},
        {"cart_id": ["CART_USER1_001"]},
        {"cart_id": {"a": 1}},
    ],
)
def test_odd_cart_ids_in_bodies_are_4xx(api, body):
    response = api.post("/api/payments/cart/", body, format="json")
    assert 400 <= response.status_code < 500 and response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"product_id": 1, "quantity": "١٢"},
        {"product_id": "¹", "quantity": 1},
        {"product_id": 10**30, "quantity": 1},
        {"product_id": 1, "quantity": 10**30},
        {"product_id": True, "quantity": 1},
        {"product_id": "1\x00", "quantity": 1},
        [],
        "text",
    ],
)
def test_odd_numbers_and_types_are_400(api, body):
    response = api.post("/api/cart/items/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]


def test_wrong_content_type_and_broken_json_are_4xx(api):
    form = api.post("/api/cart/items/", "product_id=1", content_type="text/plain")
    assert form.status_code == 415 and form.json()["error"]
    broken = api.post("/api/cart/items/", "{", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]


def test_nul_bytes_reach_no_database_from_redirects_and_webhooks(client, anon_client):
    back = client.get("/api/payments/redirect/", {"merchant_order_id": "MO\x00x"})
    assert back.status_code == 302
    body = b'{"event": "payment.captured", "x": "\x00"}'
    hook = anon_client.post(
        "/api/payments/webhook/razorpay/",
        body,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE="forged",
    )
    assert hook.status_code == 400


def test_a_too_large_json_body_is_a_json_4xx(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(
        "/api/cart/items/", json.dumps({"x": "y" * 5000}), content_type="application/json"
    )
    assert 400 <= response.status_code < 500 and response.json()["error"]


def test_every_timestamp_is_in_the_one_configured_time_zone(api, rsps):
    package = PujaPackageFactory(price="999.00")
    cart = booking(api, package, "10:00").json()
    mock_token(rsps)
    mock_pay(rsps)
    order = api.post("/api/payments/cart/", {"cart_id": cart["cart_id"]}, format="json").json()
    created = order["data"]["payment_order"]["created_at"]
    status = api.get(f"/api/payments/cart/status/{cart['cart_id']}/").json()
    assert created.endswith("+05:30") and status["data"]["payment_created_at"].endswith("+05:30")
    assert cart["created_at"].endswith("+05:30")
    assert Cart.objects.get().created_at.utcoffset() is not None


def test_an_unexpected_error_answers_json_without_a_trace_or_its_values(caplog):
    from django.test import RequestFactory

    from config.middleware import ApiJsonErrorsMiddleware

    middleware = ApiJsonErrorsMiddleware(lambda request: None)
    try:
        raise ValueError("token=sk_live_do_not_leak")
    except ValueError as exc:
        response = middleware.process_exception(RequestFactory().post("/api/orders/"), exc)
    assert response.status_code == 500
    assert json.loads(response.content) == {"error": "Internal server error."}
    assert "sk_live" not in caplog.text and "Traceback" not in caplog.text
    assert "ValueError" in caplog.text  # where it broke is still logged
