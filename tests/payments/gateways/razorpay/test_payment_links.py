"""Bookings and orders taken by phone: staff make a Razorpay Payment Link for a customer,
who pays it from a text message. Its lines are priced and held like a cart's; the webhook,
the signed callback and reconciliation all settle it through the one fulfilment service."""

import time
from decimal import Decimal

import pytest
import responses
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingStatus
from cart.models import Cart, CartStatus
from orders.models import Order
from payments.models import Payment, PaymentStatus, Refund
from payments.providers.razorpay.models import PaymentLink
from tests.conftest import client_for, run_concurrently
from tests.documented import DocumentedClient
from tests.factories import (
    CouponFactory,
    PujaPackageFactory,
    UserFactory,
    VariantFactory,
    future_slot,
)
from tests.flows import add_to_cart, booking_cart, create_payment, verify
from tests.payments.conftest import act
from tests.payments.gateways.razorpay.fakes import (
    LINKS,
    link_callback_query,
    link_webhook_body,
    links_url,
    mock_order_create,
    mock_payment_links,
    pay_link_at_razorpay,
    post_webhook,
)

pytestmark = pytest.mark.django_db

CUSTOMER = {"email": "Devotee@Example.com", "name": "Lakshmi Iyer", "phone": "9876543210"}


def staff_with(*codenames) -> DocumentedClient:
    user = UserFactory(email=f"staff-{'-'.join(codenames) or 'none'}@example.com", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return client_for(user)


@pytest.fixture
def desk(db) -> DocumentedClient:
    """The temple's phone desk: staff who make, list and cancel links."""
    return staff_with("add_paymentlink", "view_paymentlink", "change_paymentlink")


@pytest.fixture
def razorpay_links(rsps):
    return mock_payment_links(rsps)


@pytest.fixture
def package(db):
    return PujaPackageFactory(price="1100.00")


def booking_of(package, time="10:00") -> dict:
    return {
        "puja_service": package.service_id,
        "package": package.pk,
        "selected_date": future_slot()["selected_date"].isoformat(),
        "selected_time": time,
    }


def make_link(client, **body):
    return client.post("/api/payments/links/", {"customer": CUSTOMER} | body, format="json")


def callback(client, query):
    return client.get("/api/payments/links/callback/", query)


def test_staff_make_a_booking_link_for_a_new_customer(desk, razorpay_links, package):
    before = int(time.time())
    answer = make_link(desk, booking=booking_of(package))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    payment = Payment.objects.get(pk=body["payment_id"])
    assert body["link_id"].startswith("plink_") and body["short_url"].startswith("https://rzp.io/")
    assert body["status"] == "created" and body["amount"] == 110000
    assert body["amount_decimal"] == "1100.00"
    (sent,) = razorpay_links
    assert sent["reference_id"] == str(payment.pk) and sent["amount"] == 110000
    assert before + 86400 - 5 <= sent["expire_by"] <= int(time.time()) + 86400
    assert sent["customer"] == {
        "name": "Lakshmi Iyer",
        "email": "devotee@example.com",
        "contact": "9876543210",
    }
    assert sent["notify"] == {"sms": True, "email": True}
    assert sent["callback_url"] == "http://testserver/api/payments/links/callback/"
    assert sent["callback_method"] == "get"
    customer = User.objects.get(email="devotee@example.com")
    assert not customer.has_usable_password() and payment.user == customer
    assert payment.held_until and payment.status == PaymentStatus.INITIATED


def test_the_link_holds_its_slot_until_it_ends(desk, razorpay_links, package, api):
    make_link(desk, booking=booking_of(package))
    slot = booking_of(package)
    refused = api.post("/api/cart/carts/", {"service_type": "PUJA", **slot}, format="json")
    assert refused.status_code == 409 and refused.json()["held_until"]


def test_an_existing_customer_is_found_by_email_in_any_case(desk, razorpay_links, package):
    devotee = UserFactory(email="devotee@example.com")
    body = make_link(desk, booking=booking_of(package)).json()
    assert Payment.objects.get(pk=body["payment_id"]).user == devotee
    assert User.objects.filter(email__iexact="devotee@example.com").count() == 1


def test_a_link_for_products_is_priced_from_the_catalog_with_the_coupon(desk, razorpay_links):
    variant = VariantFactory(price="250.00", stock=3)
    coupon = CouponFactory(code="PHONE10")
    items = [{"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 2}]
    body = make_link(desk, items=items, coupon_code=coupon.code).json()
    assert body["amount_decimal"] == "450.00"  # 500 less 10%
    payment = Payment.objects.get(pk=body["payment_id"])
    assert payment.cart.kind == "LINK" and payment.coupon == coupon
    [line] = payment.cart_snapshot["lines"]
    assert (line["variant_id"], line["quantity"], line["unit_price"]) == (variant.pk, 2, "250.00")


def test_a_product_link_holds_its_stock(desk, razorpay_links, api, rsps):
    variant = VariantFactory(stock=2)
    items = [{"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 2}]
    assert make_link(desk, items=items).status_code == 201
    mock_order_create(rsps)
    add_to_cart(api, variant, 1)  # in the cart it may be; paid for, while held, it may not
    refused = create_payment(api)
    assert refused.status_code == 409 and refused.json()["held_until"]


def test_paid_by_webhook_the_booking_is_made_once_and_confirmed_by_email(
    desk, razorpay_links, package, anon_client, django_capture_on_commit_callbacks, mailoutbox
):
    body = make_link(desk, booking=booking_of(package)).json()
    paid = pay_link_at_razorpay(body["link_id"])
    delivery = link_webhook_body("payment_link.paid", body["link_id"], paid)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(anon_client, delivery).status_code == 200
        assert post_webhook(anon_client, delivery).status_code == 200  # redelivered
    booking = Booking.objects.get()
    assert booking.user.email == "devotee@example.com" and booking.status == BookingStatus.CONFIRMED
    payment = Payment.objects.get(pk=body["payment_id"])
    assert payment.status == PaymentStatus.SUCCESS and payment.provider_payment_id == paid["id"]
    assert [m.to for m in mailoutbox] == [["devotee@example.com"]]
    assert Cart.objects.get(pk=payment.cart_id).status == CartStatus.CONVERTED
    listed = desk.get("/api/payments/links/").json()
    assert [(row["payment_id"], row["status"]) for row in listed] == [(body["payment_id"], "paid")]


def test_the_signed_callback_fulfils_and_sends_the_browser_to_the_confirmation(
    desk, razorpay_links, package, anon_client
):
    body = make_link(desk, booking=booking_of(package)).json()
    paid = pay_link_at_razorpay(body["link_id"])
    answer = callback(anon_client, link_callback_query(body["link_id"], paid["id"]))
    assert answer.status_code == 302
    assert answer["Location"] == (
        f"https://shop.example.com/confirmbooking?payment_id={body['payment_id']}"
    )
    assert Booking.objects.get().payment_id == Payment.objects.get().pk


def test_a_paid_product_link_sends_the_browser_to_its_order(desk, razorpay_links, anon_client):
    variant = VariantFactory(stock=3)
    items = [{"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 1}]
    body = make_link(desk, items=items).json()
    paid = pay_link_at_razorpay(body["link_id"])
    answer = callback(anon_client, link_callback_query(body["link_id"], paid["id"]))
    order = Order.objects.get()
    assert answer["Location"] == f"https://shop.example.com/order-success/{order.pk}"
    assert order.user.email == "devotee@example.com"
    variant.refresh_from_db()
    assert variant.stock == 2


@pytest.mark.parametrize(
    "spoil",
    [
        {"razorpay_signature": "0" * 64},
        {"razorpay_payment_link_status": "cancelled"},  # the signature was for "paid"
        {"razorpay_payment_link_reference_id": "not-a-uuid"},
        {"razorpay_payment_link_id": "plink_other"},
        {"razorpay_signature": ""},
        # A NUL byte anywhere is a bad callback, never a 500 (PostgreSQL refuses it).
        {"razorpay_payment_link_id": "plink_\x00"},
        {"razorpay_payment_link_reference_id": "\x00"},
        {"razorpay_payment_id": "pay_\x00", "razorpay_payment_link_status": "\x00"},
    ],
)
def test_a_bad_callback_goes_to_the_failure_page_and_changes_nothing(
    desk, razorpay_links, package, anon_client, spoil
):
    body = make_link(desk, booking=booking_of(package)).json()
    paid = pay_link_at_razorpay(body["link_id"])
    answer = callback(anon_client, link_callback_query(body["link_id"], paid["id"]) | spoil)
    assert answer.status_code == 302
    assert answer["Location"] == "https://shop.example.com/failedbooking"
    assert not Booking.objects.exists()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.INITIATED and payment.last_status_check_at is None
    # The money is there all the same: the webhook settles it.
    delivery = link_webhook_body("payment_link.paid", body["link_id"], paid)
    assert post_webhook(anon_client, delivery).status_code == 200
    assert Booking.objects.count() == 1


def test_a_callback_whose_link_razorpay_does_not_call_paid_builds_nothing(
    desk, razorpay_links, package, anon_client
):
    body = make_link(desk, booking=booking_of(package)).json()
    # Correctly signed "paid", but Razorpay's own record of the link shows no capture.
    answer = callback(anon_client, link_callback_query(body["link_id"], "pay_NOTCAPTURED"))
    assert answer.status_code == 302 and not Booking.objects.exists()
    assert Payment.objects.get().is_open  # still payable: the webhook settles it if paid


def test_a_lost_webhook_and_callback_are_caught_up_by_reconciliation(desk, razorpay_links, package):
    body = make_link(desk, booking=booking_of(package)).json()
    pay_link_at_razorpay(body["link_id"])
    Payment.objects.update(created_at=timezone.now() - timezone.timedelta(hours=1))
    call_command("reconcile_payments", "--older-than", "900")
    assert Booking.objects.count() == 1
    assert Payment.objects.get().status == PaymentStatus.SUCCESS


@pytest.mark.parametrize("event", ["payment_link.expired", "payment_link.cancelled"])
def test_an_expired_or_cancelled_link_expires_its_payment_and_frees_the_slot(
    desk, razorpay_links, package, anon_client, api, event
):
    body = make_link(desk, booking=booking_of(package)).json()
    LINKS[body["link_id"]]["status"] = event.removeprefix("payment_link.")
    assert post_webhook(anon_client, link_webhook_body(event, body["link_id"])).status_code == 200
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.EXPIRED and not payment.holds.exists()
    assert booking_cart(api, package)  # the slot is free for anyone again


def test_staff_cancel_a_link_at_razorpay_and_its_hold_ends(desk, razorpay_links, package, api):
    body = make_link(desk, booking=booking_of(package)).json()
    cancelled = desk.post(f"/api/payments/links/{body['payment_id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert LINKS[body["link_id"]]["status"] == "cancelled"
    assert Payment.objects.get().status == PaymentStatus.EXPIRED
    assert booking_cart(api, package)
    again = desk.post(f"/api/payments/links/{body['payment_id']}/cancel/")
    assert again.status_code == 409 and "cancelled" in again.json()["error"]


def test_a_link_paid_before_staff_cancel_it_is_fulfilled_not_cancelled(
    desk, razorpay_links, package
):
    body = make_link(desk, booking=booking_of(package)).json()
    pay_link_at_razorpay(body["link_id"])
    refused = desk.post(f"/api/payments/links/{body['payment_id']}/cancel/")
    assert refused.status_code == 409 and "paid" in refused.json()["error"]
    assert Booking.objects.count() == 1


def test_a_link_paid_after_its_slot_was_taken_is_refunded(
    desk, razorpay_links, package, anon_client, settings, rsps
):
    settings.CHECKOUT_HOLD_SECONDS = 0  # nothing held: someone else books the slot meanwhile
    body = make_link(desk, booking=booking_of(package)).json()
    other = client_for(UserFactory())
    mock_order_create(rsps)
    started = create_payment(other, cart_id=booking_cart(other, package)["cart_id"]).json()
    assert verify(other, started["razorpay_order_id"]).status_code == 200
    paid = pay_link_at_razorpay(body["link_id"])
    delivery = link_webhook_body("payment_link.paid", body["link_id"], paid)
    assert post_webhook(anon_client, delivery).status_code == 200
    payment = Payment.objects.get(pk=body["payment_id"])
    assert payment.needs_attention and payment.bookings.count() == 0
    assert Refund.objects.get(payment=payment).amount == Decimal("1100.00")
    assert callback(anon_client, link_callback_query(body["link_id"], paid["id"]))[
        "Location"
    ].endswith("/failedbooking")


@pytest.mark.django_db(transaction=True)
def test_the_webhook_and_the_callback_racing_make_one_booking(razorpay_links):
    desk = staff_with("add_paymentlink")
    package = PujaPackageFactory()
    body = make_link(desk, booking=booking_of(package)).json()
    paid = pay_link_at_razorpay(body["link_id"])
    delivery = link_webhook_body("payment_link.paid", body["link_id"], paid)
    query = link_callback_query(body["link_id"], paid["id"])
    for _ in range(3):  # thrice the same race: exactly one booking each time
        results = run_concurrently(
            lambda: post_webhook(DocumentedClient(), delivery).status_code,
            lambda: callback(DocumentedClient(), query).status_code,
        )
        assert results == [200, 302]
    assert Booking.objects.count() == 1 and Refund.objects.count() == 0


def test_a_shopper_or_staff_without_the_permission_cannot_make_or_see_links(
    api, anon_client, package, razorpay_links
):
    assert make_link(api, booking=booking_of(package)).status_code == 403
    assert make_link(anon_client, booking=booking_of(package)).status_code == 401
    viewer = staff_with("view_paymentlink")
    assert make_link(viewer, booking=booking_of(package)).status_code == 403
    assert viewer.get("/api/payments/links/").status_code == 200
    assert api.get("/api/payments/links/").status_code == 403
    assert razorpay_links == [] and not PaymentLink.objects.exists()


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({}, "either a booking or items"),
        ({"items": []}, "either a booking or items"),
        ({"expires_in": 60}, "lives from 900 seconds"),
        ({"expires_in": 200 * 86400}, "lives from 900 seconds"),
        ({"coupon_code": "NOSUCH"}, "coupon"),
        ({"customer": {"email": "not-an-email"}}, "email"),
    ],
)
def test_bad_link_input_is_a_clear_400_and_writes_nothing(
    desk, razorpay_links, package, body, fragment
):
    full = {"customer": CUSTOMER, "booking": booking_of(package)} | body
    if body in ({}, {"items": []}):
        full.pop("booking")
        full |= body
    answer = desk.post("/api/payments/links/", full, format="json")
    assert answer.status_code == 400 and fragment in answer.json()["error"]
    assert not Payment.objects.exists() and razorpay_links == []
    assert not Cart.objects.exists()


def test_razorpay_down_answers_502_and_leaves_nothing_held(desk, rsps, package, api):
    rsps.add(responses.POST, links_url(), body=ConnectionError("down"))
    answer = make_link(desk, booking=booking_of(package))
    assert answer.status_code == 502
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.FAILED and not payment.holds.exists()
    assert payment.cart.status == CartStatus.ABANDONED
    assert booking_cart(api, package)


def test_a_new_customer_who_paid_a_link_sets_a_password_and_sees_the_booking(
    desk, razorpay_links, package, anon_client, django_capture_on_commit_callbacks, mailoutbox
):
    body = make_link(desk, booking=booking_of(package)).json()
    paid = pay_link_at_razorpay(body["link_id"])
    callback(anon_client, link_callback_query(body["link_id"], paid["id"]))
    with django_capture_on_commit_callbacks(execute=True):
        asked = anon_client.post(
            "/api/accounts/password-reset/", {"email": "devotee@example.com"}, format="json"
        )
    assert asked.status_code == 202
    link = mailoutbox[-1].body.split("reset-password?", 1)[1].split()[0]
    uid, token = (part.split("=", 1)[1] for part in link.split("&"))
    confirmed = anon_client.post(
        "/api/accounts/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "lakshmi-pass-2026"},
        format="json",
    )
    assert confirmed.status_code == 200
    tokens = anon_client.post(
        "/api/accounts/token/",
        {"email": "devotee@example.com", "password": "lakshmi-pass-2026"},
        format="json",
    ).json()
    devotee = DocumentedClient()
    devotee.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    bookings = devotee.get("/api/booking/bookings/").json()
    rows = bookings["results"] if isinstance(bookings, dict) else bookings
    assert [row["book_id"] for row in rows] == [Booking.objects.get().book_id]


def test_staff_make_a_link_in_admin_and_read_its_short_url(staff, razorpay_links, package):
    assert staff.get("/admin/payments/paymentlink/add/").status_code == 200
    form = {
        "email": "devotee@example.com",
        "name": "Lakshmi Iyer",
        "phone": "9876543210",
        "package": package.pk,
        "selected_date": future_slot()["selected_date"].isoformat(),
        "selected_time": "10:00",
    }
    made = staff.post("/admin/payments/paymentlink/add/", form, follow=True)
    link = PaymentLink.objects.get()
    assert made.redirect_chain[-1][0] == f"/admin/payments/paymentlink/{link.pk}/change/"
    assert link.short_url and link.short_url in made.content.decode()
    assert razorpay_links[0]["customer"]["email"] == "devotee@example.com"
    listed = staff.get("/admin/payments/paymentlink/").content.decode()
    assert link.short_url in listed and "created" in listed


def test_an_admin_form_for_both_a_booking_and_products_is_refused(staff, razorpay_links, package):
    variant = VariantFactory()
    form = {
        "email": "devotee@example.com",
        "package": package.pk,
        "selected_date": future_slot()["selected_date"].isoformat(),
        "selected_time": "10:00",
        "variant_0": variant.pk,
        "quantity_0": 1,
    }
    answer = staff.post("/admin/payments/paymentlink/add/", form)
    assert answer.status_code == 200 and "either a booking or products" in answer.content.decode()
    assert not PaymentLink.objects.exists() and razorpay_links == []


def test_staff_cancel_links_from_admin(staff, razorpay_links, desk, package):
    body = make_link(desk, booking=booking_of(package)).json()
    act(staff, "payments/paymentlink", "cancel", body["payment_id"])
    assert PaymentLink.objects.get().status == "cancelled"
    assert LINKS[body["link_id"]]["status"] == "cancelled"


def test_view_only_staff_cannot_make_or_cancel_links_in_admin(
    client, razorpay_links, desk, package
):
    body = make_link(desk, booking=booking_of(package)).json()
    viewer = UserFactory(email="viewer@example.com", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_paymentlink"))
    client.force_login(viewer)
    assert client.get("/admin/payments/paymentlink/add/").status_code == 403
    listed = client.get("/admin/payments/paymentlink/").content.decode()
    assert 'value="cancel"' not in listed
    act(client, "payments/paymentlink", "cancel", body["payment_id"])
    assert PaymentLink.objects.get().status == "created"


def test_reconciliation_leaves_a_link_open_for_its_life_not_the_checkout_window(
    desk, razorpay_links, package
):
    body = make_link(desk, booking=booking_of(package)).json()
    # Older than a checkout's PAYMENT_EXPIRY_SECONDS, well within the link's day.
    Payment.objects.update(created_at=timezone.now() - timezone.timedelta(hours=2))
    call_command("reconcile_payments", "--older-than", "900")
    assert Payment.objects.get().is_open and LINKS[body["link_id"]]["status"] == "created"


def test_a_link_paid_after_it_expired_is_fulfilled_as_any_late_payment(
    desk, razorpay_links, package, anon_client
):
    body = make_link(desk, booking=booking_of(package)).json()
    LINKS[body["link_id"]]["status"] = "expired"
    post_webhook(anon_client, link_webhook_body("payment_link.expired", body["link_id"]))
    assert Payment.objects.get().status == PaymentStatus.EXPIRED
    paid = pay_link_at_razorpay(body["link_id"])  # Razorpay took the money all the same
    delivery = link_webhook_body("payment_link.paid", body["link_id"], paid)
    assert post_webhook(anon_client, delivery).status_code == 200
    assert Booking.objects.count() == 1 and Payment.objects.get().fulfilled_at
