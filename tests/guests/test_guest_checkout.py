"""Buying and booking without an account: the first cart call starts a guest and answers
its cart token; the token carries the guest through checkout, which names a contact; the
order, its receipt and its tax document are the contact's."""

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Guest, User
from invoices.models import TaxDocument
from orders.models import Order
from payments.models import Payment
from tests.conftest import client_for
from tests.documented import DocumentedClient
from tests.factories import PujaPackageFactory, VariantFactory
from tests.flows import completed, create_payment, slot_body, verify
from tests.payments.gateways.phonepe.fakes import mock_pay, mock_status, mock_token, post_webhook
from tests.payments.gateways.razorpay.fakes import ADDRESS, mock_order_create

pytestmark = pytest.mark.django_db
CONTACT = {"email": "Meera@Example.com", "name": "Meera Nair", "phone": "+91 98450 12345"}
CHECKOUT = {
    "shipping_address": ADDRESS,
    "billing_address": ADDRESS,
    "payment_method": "razorpay",
    "contact": CONTACT,
}


def guest_client(token: str | None = None) -> DocumentedClient:
    client = DocumentedClient()
    if token:
        client.credentials(HTTP_X_CART_TOKEN=token)
    return client


def start_guest(variant, quantity=1) -> tuple[DocumentedClient, str]:
    """A guest's first call: an item into a new cart; answers the client carrying its token."""
    body = {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": quantity}
    answer = guest_client().post("/api/cart/items/", body, format="json")
    assert answer.status_code == 201, answer.content
    token = answer.json()["cart_token"]
    return guest_client(token), token


def test_a_first_cart_call_without_an_account_starts_a_guest_cart_with_a_secret_token():
    variant = VariantFactory(stock=5)
    guest, token = start_guest(variant, 2)
    assert len(token) >= 43  # 32 random bytes, base64url: 256 bits
    # Only a digest is kept: the database alone opens nothing.
    assert not Guest.objects.filter(token_digest=token).exists()
    cart = guest.get("/api/cart/").json()
    assert [(line["variant_id"], line["quantity"]) for line in cart["items"]] == [(variant.pk, 2)]
    # A later call with the token adds to the same cart and starts nobody new.
    body = {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 1}
    again = guest.post("/api/cart/items/", body, format="json").json()
    assert "cart_token" not in again and again["items"][0]["quantity"] == 3
    assert User.objects.filter(is_guest=True).count() == 1


def test_without_any_token_only_the_two_creating_calls_answer_and_a_wrong_token_is_404():
    nobody = guest_client()
    for path in ("/api/cart/", "/api/cart/carts/", "/api/orders/", "/api/booking/bookings/",
                 "/api/payments/status/PAY_X/"):  # fmt: skip
        assert nobody.get(path).status_code == 401, path
    assert nobody.post("/api/payments/create-from-cart/", {}, format="json").status_code == 401
    wrong = guest_client("not-a-token")
    answer = wrong.get("/api/cart/")
    assert answer.status_code == 404 and "X-Cart-Token" in answer.json()["error"]
    assert wrong.post("/api/cart/items/", {}, format="json").status_code == 404


def test_a_refused_first_call_leaves_no_guest_behind():
    answer = guest_client().post(
        "/api/cart/items/", {"product_id": 999999, "quantity": 1}, format="json"
    )
    assert answer.status_code == 400 and "cart_token" not in answer.json()
    assert not User.objects.filter(is_guest=True).exists()


def test_a_lapsed_guest_cart_answers_404(settings):
    guest, _ = start_guest(VariantFactory())
    Guest.objects.update(expires_at=timezone.now())
    assert guest.get("/api/cart/").status_code == 404


def test_a_guest_reads_no_orders_or_bookings_list_sign_in_or_the_manage_link_shows_them():
    guest, _ = start_guest(VariantFactory())
    assert guest.get("/api/orders/").status_code == 401
    assert guest.get("/api/booking/bookings/").status_code == 401
    assert guest.get("/api/accounts/me/").status_code == 401


def test_a_guest_checkout_must_name_a_contact_a_400_names_the_field(rsps):
    mock_order_create(rsps)
    guest, _ = start_guest(VariantFactory())
    missing = create_payment(guest)
    assert missing.status_code == 400 and missing.json()["error"].startswith("contact")
    bad = create_payment(guest, contact=CONTACT | {"email": "meera-at-example"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("contact: email")
    no_name = create_payment(guest, contact={"email": "m@example.com"})
    assert no_name.status_code == 400 and no_name.json()["error"].startswith("contact: name")
    assert not Payment.objects.exists()


def test_a_guest_pays_and_gets_the_order_receipt_and_invoice_as_the_contact(
    rsps, django_capture_on_commit_callbacks
):
    mock_order_create(rsps)
    guest, _ = start_guest(VariantFactory(price="250.00", stock=5), 2)
    opened = create_payment(guest, contact=CONTACT)
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["prefill"]["email"] == "meera@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        paid = verify(guest, body["razorpay_order_id"], payment_id="pay_GUEST1")
    assert paid.status_code == 200 and paid.json()["order_created"] is True
    order = Order.objects.get()
    assert order.user.is_guest and order.total == 500
    (receipt,) = [m for m in mail.outbox if order.order_number in m.subject]
    assert receipt.to == ["meera@example.com"]
    # An order's invoice names its billing address; never the guest's placeholder.
    assert TaxDocument.objects.get(order=order).buyer["name"] == "Asha Rao"
    # The status call takes the cart token too; the cart is empty again.
    status = guest.get(f"/api/payments/status/{Payment.objects.get().merchant_order_id}/")
    assert status.status_code == 200 and status.json()["data"]["order_number"] == order.order_number
    assert guest.get("/api/cart/").json()["items"] == []


def test_a_guest_books_a_puja_slot_through_phonepe(rsps):
    mock_token(rsps)
    mock_pay(rsps)
    package = PujaPackageFactory()
    answer = guest_client().post("/api/cart/carts/", slot_body(package), format="json")
    assert answer.status_code == 201, answer.content
    cart, guest = answer.json(), guest_client(answer.json()["cart_token"])
    refused = guest.post("/api/payments/cart/", {"cart_id": cart["cart_id"]}, format="json")
    assert refused.status_code == 400 and refused.json()["error"].startswith("contact")
    started = guest.post(
        "/api/payments/cart/", {"cart_id": cart["cart_id"], "contact": CONTACT}, format="json"
    )
    assert started.status_code == 201, started.content
    order = started.json()["data"]["payment_order"]
    mock_status(rsps, order["merchant_order_id"], "COMPLETED", order["amount"])
    assert post_webhook(guest_client(), completed(order)).status_code == 200
    booking = Payment.objects.get(status="SUCCESS").bookings.get()
    assert booking.user.is_guest and booking.user.contact_email == "meera@example.com"
    # A booking has no billing address: its bill of supply names the contact.
    assert TaxDocument.objects.get(booking=booking).buyer["name"] == "Meera Nair"
    checked = guest.get(f"/api/payments/{order['id']}/check-booking/").json()
    assert checked["booking_created"] is True


def test_a_guest_places_an_order_first_order_with_a_contact():
    guest, _ = start_guest(VariantFactory(stock=3))
    body = {"shipping_address": ADDRESS, "billing_address": ADDRESS, "contact": CONTACT}
    placed = guest.post("/api/orders/", body, format="json")
    assert placed.status_code == 201, placed.content
    assert Order.objects.get().user.contact_email == "meera@example.com"


def test_an_idempotency_key_is_kept_per_cart_token(rsps):
    mock_order_create(rsps)
    first, _ = start_guest(VariantFactory(price="100.00"))
    second, _ = start_guest(VariantFactory(price="300.00"))
    key = {"HTTP_IDEMPOTENCY_KEY": "same-key-for-both"}
    a = first.post("/api/payments/create-from-cart/", CHECKOUT, format="json", **key)
    b = second.post("/api/payments/create-from-cart/", CHECKOUT, format="json", **key)
    assert a.status_code == b.status_code == 201
    assert (a.json()["amount"], b.json()["amount"]) == (10000, 30000)
    again = first.post("/api/payments/create-from-cart/", CHECKOUT, format="json", **key)
    assert again.json() == a.json() and Payment.objects.count() == 2


def test_a_signed_in_user_takes_a_guest_carts_lines(user):
    variant, other = VariantFactory(stock=9), VariantFactory(stock=9)
    guest, token = start_guest(variant, 2)
    body = {"product_id": other.product_id, "variant_id": other.pk, "quantity": 1}
    guest.post("/api/cart/items/", body, format="json")
    api = client_for(user)
    api.post("/api/cart/items/", {**body, "quantity": 3}, format="json")
    claimed = api.post("/api/cart/claim/", HTTP_X_CART_TOKEN=token)
    assert claimed.status_code == 200, claimed.content
    lines = {line["variant_id"]: line["quantity"] for line in claimed.json()["items"]}
    assert lines == {variant.pk: 2, other.pk: 4}
    assert guest.get("/api/cart/").json()["items"] == []
    assert api.post("/api/cart/claim/").status_code == 400
    assert api.post("/api/cart/claim/", HTTP_X_CART_TOKEN="wrong").status_code == 404
    assert guest_client().post("/api/cart/claim/", HTTP_X_CART_TOKEN=token).status_code == 401


def test_fair_use_counts_a_guests_holds_by_contact_across_cart_tokens(rsps, settings):
    settings.CHECKOUT_HOLDS_PER_USER = 1
    mock_order_create(rsps)
    first, _ = start_guest(VariantFactory())
    second, _ = start_guest(VariantFactory())
    assert create_payment(first, contact=CONTACT).status_code == 201
    refused = create_payment(second, contact=CONTACT | {"email": "MEERA@example.com"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    stranger = create_payment(second, contact=CONTACT | {"email": "ravi@example.com"})
    assert stranger.status_code == 201
