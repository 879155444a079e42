from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from bookings.models import Booking
from cart.models import Cart, CartStatus
from payments.models import Payment, PaymentStatus, WebhookEvent, WebhookEventStatus
from tests.conftest import client_for
from tests.factories import PujaPackageFactory
from tests.flows import booking_cart, completed, start
from tests.payments.gateways.phonepe.fakes import (
    base,
    calls_to,
    mock_pay,
    mock_status,
    mock_token,
    post_webhook,
    status_url,
    webhook_authorization,
    webhook_body,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def phonepe(rsps):
    mock_token(rsps)
    mock_pay(rsps)
    return rsps


@pytest.fixture
def package():
    return PujaPackageFactory(price="999.00")


def test_full_booking_path(api, anon_client, phonepe, package):
    cart = booking_cart(api, package)
    response = api.post(
        "/api/payments/cart/",
        {"cart_id": cart["cart_id"], "redirect_url": "https://shop.example.com/booking"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["message"] == "Payment order created for cart"
    order = body["data"]["payment_order"]
    assert order["amount"] == 99900 and order["amount_in_rupees"] == "999.00"
    assert order["cart_id"] == cart["cart_id"] and order["status"] == "INITIATED"
    assert order["phonepe_payment_url"].startswith("https://mercury-uat.phonepe.com/transact/")
    pay_request = next(
        c.request for c in phonepe.calls if c.request.url.endswith("/checkout/v2/pay")
    )
    assert pay_request.headers["Authorization"] == "O-Bearer tok-1"
    sent = __import__("json").loads(pay_request.body)
    assert sent["merchantOrderId"] == order["merchant_order_id"] and sent["amount"] == 99900
    redirect = sent["paymentFlow"]["merchantUrls"]["redirectUrl"]
    assert redirect.startswith("http://testserver/api/payments/redirect/?merchant_order_id=")

    mock_status(phonepe, order["merchant_order_id"], "COMPLETED", 99900)
    assert post_webhook(anon_client, completed(order)).status_code == 200

    check = api.get(f"/api/payments/{order['id']}/check-booking/").json()
    assert check["success"] is True and check["payment_status"] == "SUCCESS"
    assert check["booking_created"] is True
    assert (
        check["booking"]["status"] == "CONFIRMED" and check["booking"]["total_amount"] == "999.00"
    )
    assert check["booking"]["book_id"].startswith("BK-")

    status = api.get(f"/api/payments/cart/status/{cart['cart_id']}/").json()["data"]
    assert status["payment_status"] == "SUCCESS" and status["cart_status"] == "CONVERTED"
    assert status["booking_created"] is True and status["booking_id"] == check["booking"]["book_id"]
    assert status["merchant_order_id"] == order["merchant_order_id"]
    assert status["payment_amount"] == "999.00" and status["payment_completed_at"]


def test_process_cart_answers_the_older_shape(api, phonepe, package):
    cart = booking_cart(api, package)
    response = api.post(
        "/api/payments/process-cart/",
        {"cart_id": cart["cart_id"], "method": "PHONEPE"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "999.00" and body["amount_paise"] == 99900
    assert body["status"] == "PENDING" and body["payment_url"].startswith("https://")
    assert Payment.objects.get(pk=body["payment_id"]).provider == "phonepe"


def test_lost_webhook_is_resolved_by_polling_at_most_once_per_interval(api, phonepe, package):
    cart = booking_cart(api, package)
    order = start(api, cart)
    mock_status(phonepe, order["merchant_order_id"], "PENDING", 99900)

    first = api.get(f"/api/payments/status/{order['merchant_order_id']}/").json()["data"]
    assert first["status"] == "PENDING"
    for _ in range(3):  # a polling frontend cannot amplify traffic to PhonePe
        api.get(f"/api/payments/cart/status/{cart['cart_id']}/")
    assert calls_to(phonepe, "/status") == 1

    Payment.objects.update(last_status_check_at=None)  # the interval has passed
    phonepe.replace(
        "GET",
        status_url(order["merchant_order_id"]),
        json={"state": "COMPLETED", "amount": 99900, "paymentDetails": []},
    )
    check = api.get(f"/api/payments/{order['id']}/check-booking/").json()
    assert check["booking_created"] is True
    assert Cart.objects.get(cart_id=cart["cart_id"]).status == CartStatus.CONVERTED
    tracker = Payment.objects.get().status_changes.values_list("from_status", "to_status")
    assert list(tracker) == [("INITIATED", "PENDING"), ("PENDING", "SUCCESS")]


def test_failed_payment_leaves_no_booking_and_the_cart_usable(api, anon_client, phonepe, package):
    cart = booking_cart(api, package)
    order = start(api, cart)
    mock_status(phonepe, order["merchant_order_id"], "FAILED", 99900)
    assert post_webhook(anon_client, completed(order, state="FAILED")).status_code == 200
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.FAILED and payment.failure_reason == "PAYMENT_DECLINED"
    assert not Booking.objects.exists()
    assert Cart.objects.get(cart_id=cart["cart_id"]).status == CartStatus.ACTIVE
    assert start(api, cart)["status"] == "INITIATED"  # the shopper can try again


def test_webhook_not_confirmed_by_the_status_api_fulfils_nothing_until_a_redelivery_is(
    api, anon_client, phonepe, package
):
    order = start(api, booking_cart(api, package))
    mock_status(phonepe, order["merchant_order_id"], "PENDING", 99900)
    unconfirmed = post_webhook(anon_client, completed(order))
    assert unconfirmed.status_code == 503 and "redeliver" in unconfirmed.json()["error"]
    assert not Booking.objects.exists()
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert WebhookEvent.objects.get().status == WebhookEventStatus.UNCONFIRMED

    # PhonePe delivers the same event again once the status API agrees.
    phonepe.replace(
        "GET",
        status_url(order["merchant_order_id"]),
        json={"state": "COMPLETED", "amount": 99900, "paymentDetails": []},
    )
    redelivery = post_webhook(anon_client, completed(order))
    assert redelivery.json()["already_processed"] is False
    assert Booking.objects.count() == 1
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEventStatus.PROCESSED and event.attempts == 2


def test_status_api_amount_mismatch_is_flagged_not_fulfilled(api, anon_client, phonepe, package):
    order = start(api, booking_cart(api, package))
    mock_status(phonepe, order["merchant_order_id"], "COMPLETED", 100)
    post_webhook(anon_client, completed(order))
    payment = Payment.objects.get()
    assert payment.needs_attention and not Booking.objects.exists()


def test_webhook_delivered_twice_gives_one_booking(api, anon_client, phonepe, package):
    order = start(api, booking_cart(api, package))
    mock_status(phonepe, order["merchant_order_id"], "COMPLETED", 99900)
    post_webhook(anon_client, completed(order))
    second = post_webhook(anon_client, completed(order))
    assert second.status_code == 200 and second.json()["already_processed"] is True
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    "authorization",
    ["", "0" * 64, "hookuser:hookpass123"],
    ids=["missing", "wrong-hash", "plain-credentials"],
)
def test_wrong_authorization_is_rejected_and_changes_nothing(
    api, anon_client, phonepe, package, authorization
):
    order = start(api, booking_cart(api, package))
    response = post_webhook(anon_client, completed(order), authorization=authorization)
    assert response.status_code == 400
    assert calls_to(phonepe, "/status") == 0
    assert Payment.objects.get().status == PaymentStatus.INITIATED


def test_webhook_with_other_credentials_is_rejected(api, anon_client, phonepe, package):
    order = start(api, booking_cart(api, package))
    auth = webhook_authorization("hookuser", "guessed-password")
    assert post_webhook(anon_client, completed(order), authorization=auth).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b"<xml/>",
        b'{"event": "checkout.order.completed"}',
        b'{"payload": {}}',
        b"[1, 2]",
        b'{"event": "checkout.order.completed", "payload": []}',
    ],
)
def test_authorized_but_unusable_bodies_are_acknowledged(anon_client, db, body):
    response = post_webhook(anon_client, body)
    assert response.status_code == 200 and response.json()["usable"] is False
    assert WebhookEvent.objects.get().status == WebhookEventStatus.REJECTED


def test_refund_events_for_refunds_not_ours_are_acknowledged_and_ignored(anon_client, db, rsps):
    import json

    body = webhook_body("pg.refund.completed", "MOunknown", 100, "COMPLETED")
    assert post_webhook(anon_client, body).status_code == 200
    foreign = {
        "event": "pg.refund.completed",
        "payload": {"merchantRefundId": "SOMEONE-ELSES", "refundId": "OMR9", "state": "COMPLETED"},
    }
    assert post_webhook(anon_client, json.dumps(foreign).encode()).status_code == 200
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {
        WebhookEventStatus.IGNORED
    }
    assert not rsps.calls  # nothing asked of PhonePe about a refund we never made


def test_redirects_only_ever_go_to_the_frontend(api, client, phonepe, package):
    order = start(api, booking_cart(api, package))
    mid = order["merchant_order_id"]
    mock_status(phonepe, mid, "COMPLETED", 99900)
    smart = client.get(
        "/api/payments/redirect/",
        {"merchant_order_id": mid, "redirect_url": "https://evil.example.net/x"},
    )
    assert smart.status_code == 302
    assert smart["Location"] == (
        f"https://shop.example.com/confirmbooking?redirect_source=phonepe&merchant_order_id={mid}"
    )
    assert Booking.objects.count() == 1  # the smart redirect checked the status first

    unknown = client.get(
        "/api/payments/redirect/", {"merchant_order_id": "MOnope", "next": "//evil.example.net"}
    )
    assert unknown["Location"].startswith("https://shop.example.com/failedbooking?")
    garbage = client.get("/api/payments/redirect/simple/", {"merchant_order_id": "x\x00<y>"})
    assert garbage["Location"] == "https://shop.example.com/confirmbooking?redirect_source=phonepe"


def test_a_foreign_redirect_url_is_ignored_never_a_400_and_never_a_target(
    api, client, phonepe, package
):
    cart = booking_cart(api, package, time="12:00")
    body = {"cart_id": cart["cart_id"], "redirect_url": "https://evil.example.net/confirm"}
    response = api.post("/api/payments/cart/", body, format="json")
    assert response.status_code == 201
    mid = response.json()["data"]["payment_order"]["merchant_order_id"]
    back = client.get("/api/payments/redirect/simple/", {"merchant_order_id": mid})
    assert back["Location"].startswith("https://shop.example.com/confirmbooking?")


@pytest.mark.parametrize(
    "redirect_url",
    ["https://shop.example.com/bookings/done", "https://app.example.org/thanks?from=pay"],
)
def test_a_redirect_url_on_a_configured_frontend_origin_is_where_the_browser_returns(
    api, client, phonepe, package, settings, redirect_url
):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com", "https://app.example.org"]
    cart = booking_cart(api, package, time="12:00")
    body = {"cart_id": cart["cart_id"], "redirect_url": redirect_url}
    mid = api.post("/api/payments/cart/", body, format="json").json()["data"]["payment_order"][
        "merchant_order_id"
    ]
    back = client.get("/api/payments/redirect/simple/", {"merchant_order_id": mid})
    assert back["Location"].startswith(redirect_url)
    assert f"merchant_order_id={mid}" in back["Location"]


def test_returns_posted_back_with_the_id_in_the_query_find_the_payment(
    api, client, phonepe, package
):
    order = start(api, booking_cart(api, package))
    mid = order["merchant_order_id"]
    mock_status(phonepe, mid, "COMPLETED", 99900)
    for path in ("/api/payments/redirect/", "/api/payments/redirect/simple/"):
        back = client.post(f"{path}?merchant_order_id={mid}", {"code": "PAYMENT_SUCCESS"})
        assert back.status_code == 302
        assert back["Location"].startswith("https://shop.example.com/confirmbooking?"), path
        assert f"merchant_order_id={mid}" in back["Location"]
    form = client.post("/api/payments/redirect/", {"merchantOrderId": mid})
    assert "/confirmbooking?" in form["Location"]


def test_simple_redirect_answers_from_the_database(api, client, anon_client, phonepe, package):
    order = start(api, booking_cart(api, package))
    mid = order["merchant_order_id"]
    pending = client.get("/api/payments/redirect/simple/", {"merchant_order_id": mid})
    assert "/confirmbooking?" in pending["Location"]
    assert calls_to(phonepe, "/status") == 0
    mock_status(phonepe, mid, "FAILED", 99900)
    post_webhook(anon_client, completed(order, state="FAILED"))
    failed = client.get("/api/payments/redirect/simple/", {"merchant_order_id": mid})
    assert "/confirmbooking?" in failed["Location"]  # the frontend polls and shows the failure
    assert calls_to(phonepe, "/status") == 1  # the webhook's confirmation only


@pytest.mark.parametrize("failure", [requests.ConnectionError("down"), {"status": 503, "body": ""}])
def test_phonepe_down_gives_502_on_create(api, rsps, package, failure):
    mock_token(rsps)
    kwargs = {"body": failure} if isinstance(failure, Exception) else failure
    rsps.add("POST", f"{base()}/checkout/v2/pay", **kwargs)
    cart = booking_cart(api, package)
    response = api.post("/api/payments/cart/", {"cart_id": cart["cart_id"]}, format="json")
    assert response.status_code == 502 and response.json()["error"]
    assert Payment.objects.get().status == PaymentStatus.FAILED


def test_oauth_down_gives_502_on_create(api, rsps, package):
    rsps.add("POST", f"{base()}/v1/oauth/token", body=requests.ConnectionError("down"))
    cart = booking_cart(api, package)
    assert (
        api.post("/api/payments/cart/", {"cart_id": cart["cart_id"]}, format="json").status_code
        == 502
    )


def test_bad_input(api, other_user, phonepe, package):
    missing = api.post("/api/payments/cart/", {"cart_id": "CART_NOPE_1"}, format="json")
    assert missing.status_code == 404 and missing.json()["error"] == "Cart not found."
    theirs = booking_cart(client_for(other_user), package)
    foreign = api.post("/api/payments/cart/", {"cart_id": theirs["cart_id"]}, format="json")
    assert foreign.status_code == 404
    mine = booking_cart(api, package, time="11:00")
    method = api.post(
        "/api/payments/process-cart/", {"cart_id": mine["cart_id"], "method": "CASH"}, format="json"
    )
    assert method.status_code == 400 and "Unknown payment method" in method.json()["error"]
    Cart.objects.filter(cart_id=mine["cart_id"]).update(status=CartStatus.CONVERTED)
    paid = api.post("/api/payments/cart/", {"cart_id": mine["cart_id"]}, format="json")
    assert paid.status_code == 400 and paid.json()["error"] == "Cart has already been paid for."
    assert not Payment.objects.exists()


def test_status_endpoints_are_owner_only(api, other_user, phonepe, package):
    order = start(api, booking_cart(api, package))
    theirs = client_for(other_user)
    assert theirs.get(f"/api/payments/{order['id']}/check-booking/").status_code == 404
    assert theirs.get(f"/api/payments/status/{order['merchant_order_id']}/").status_code == 404
    assert theirs.get(f"/api/payments/cart/status/{order['cart_id']}/").status_code == 404


def test_a_payment_cannot_start_for_a_slot_already_in_the_past(api, phonepe, package):
    cart = booking_cart(api, package)
    Cart.objects.filter(cart_id=cart["cart_id"]).update(
        selected_date=timezone.localdate() - timedelta(days=1)
    )
    response = api.post("/api/payments/cart/", {"cart_id": cart["cart_id"]}, format="json")
    assert response.status_code == 400 and "past" in response.json()["error"]
    assert not Payment.objects.exists()


def test_the_completed_attempt_is_the_payment_and_a_later_notice_refunds_nothing(
    api, anon_client, phonepe, package
):
    import json

    from payments.models import Refund

    order = start(api, booking_cart(api, package))
    mid = order["merchant_order_id"]
    attempts = [
        {"transactionId": "OM_PAID", "state": "COMPLETED", "amount": 99900},
        {"transactionId": "OM_DECLINED", "state": "FAILED", "amount": 99900},
    ]
    phonepe.add(
        "GET",
        status_url(mid),
        json={"state": "COMPLETED", "amount": 99900, "paymentDetails": attempts},
    )
    assert post_webhook(anon_client, completed(order)).status_code == 200
    assert Payment.objects.get().provider_payment_id == "OM_PAID"

    # Another notice, and the status API now names the attempt differently: a PhonePe order
    # completes once, so this is never a second capture to refund.
    phonepe.replace(
        "GET",
        status_url(mid),
        json={
            "state": "COMPLETED",
            "amount": 99900,
            "paymentDetails": [{"transactionId": "OM_X", "state": "COMPLETED"}],
        },
    )
    later = json.loads(completed(order)) | {"note": "redelivered later"}
    assert post_webhook(anon_client, json.dumps(later).encode()).status_code == 200
    assert Booking.objects.count() == 1 and not Refund.objects.exists()
