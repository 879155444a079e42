"""The money leaks a review found, each as the shopper, staff or provider met it: every one
of these ends with the ledger holding (the suite's audit runs after each test)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
import requests
import responses
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from catalog.models import ProductVariant
from orders.models import Order, OrderStatus
from payments.backlog import payments_needing_attention
from payments.gateways.base import ProviderError
from payments.gateways.registry import get_provider
from payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from payments.services.money_back import refund_owed
from payments.services.refunds import refund_send
from payments.services.staff_refunds import order_refund_by_staff
from tests.factories import PujaPackageFactory, VariantFactory
from tests.flows import add_to_cart, booking_cart, checkout, create_payment, place_order, verify
from tests.payments.conftest import act
from tests.payments.gateways.phonepe.fakes import base, mock_token
from tests.payments.gateways.razorpay.fakes import (
    REFUNDS,
    mock_order_create,
    mock_order_payments,
    mock_refund_fetch,
    mock_refund_refused,
    mock_refunds,
    orders_url,
    payment_entity,
    payments_url,
    post_webhook,
    refund_webhook_body,
    webhook_body,
)
from tests.payments.gateways.stripe import fakes as stripe_fakes

pytestmark = pytest.mark.django_db


def age(payment, seconds):
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )


def razorpay_payments_of(rsps, order_id: str) -> list:
    """Razorpay's list of an order's payments, as a list the test changes over time."""
    items: list = []
    rsps.add_callback(
        responses.GET,
        f"{orders_url()}/{order_id}/payments",
        callback=lambda request: (
            200,
            {},
            json.dumps({"entity": "collection", "count": len(items), "items": items}),
        ),
    )
    return items


def asked_about(rsps, order_id: str) -> int:
    return sum(f"/orders/{order_id}/payments" in call.request.url for call in rsps.calls)


def refund_processed(anon_client, refund: Refund, amount: int):
    body = refund_webhook_body(
        "refund.processed",
        {
            "id": refund.provider_refund_id,
            "payment_id": refund.provider_payment_id,
            "status": "processed",
            "amount": amount,
        },
    )
    assert post_webhook(anon_client, body).status_code == 200


# ---------------------------------------------------------------- 1: paid after we gave up
def test_a_payment_marked_failed_then_paid_on_a_retry_at_razorpay_is_fulfilled_by_reconciliation(
    anon_client, open_payment, rsps
):
    order_id = open_payment.provider_order_id
    failed = payment_entity(order_id, 20000, status="failed", payment_id="pay_DECLINED")
    assert post_webhook(anon_client, webhook_body("payment.failed", failed)).status_code == 200
    assert Payment.objects.get().status == PaymentStatus.FAILED

    # The shopper retries in Razorpay's checkout and pays; the webhook is lost, no verify.
    paid = payment_entity(order_id, 20000, payment_id="pay_RETRIED")
    mock_order_payments(rsps, order_id, [failed, paid])
    age(open_payment, 1000)
    out = StringIO()
    call_command("reconcile_payments", stdout=out)

    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCESS and payment.provider_payment_id == "pay_RETRIED"
    assert payment.order.status == OrderStatus.PAYMENT_CONFIRMED
    assert ProductVariant.objects.get().stock == 3
    assert "1 paid_after_lapse" in out.getvalue()


def test_an_expired_payment_is_asked_about_again_after_a_while_and_fulfilled_when_paid(
    open_payment, rsps, settings
):
    settings.PAYMENT_EXPIRY_SECONDS = 500
    order_id = open_payment.provider_order_id
    at_razorpay = razorpay_payments_of(rsps, order_id)
    age(open_payment, 1000)
    call_command("reconcile_payments")
    assert Payment.objects.get().status == PaymentStatus.EXPIRED

    at_razorpay.append(payment_entity(order_id, 20000, payment_id="pay_LATE"))
    call_command("reconcile_payments")  # asked a moment ago: not again yet
    assert asked_about(rsps, order_id) == 1 and Payment.objects.get().status == "EXPIRED"

    Payment.objects.update(last_status_check_at=timezone.now() - timedelta(minutes=16))
    call_command("reconcile_payments")
    payment = Payment.objects.get()
    assert asked_about(rsps, order_id) == 2
    assert payment.status == PaymentStatus.SUCCESS and payment.order is not None


def test_lapsed_payments_are_watched_for_seven_days_and_then_left(open_payment, rsps):
    order_id = open_payment.provider_order_id
    Payment.objects.update(status=PaymentStatus.FAILED)
    at_razorpay = razorpay_payments_of(rsps, order_id)
    age(open_payment, 6 * 86400)
    call_command("reconcile_payments")
    assert asked_about(rsps, order_id) == 1
    at_razorpay.append(payment_entity(order_id, 20000, payment_id="pay_TOOLATE"))
    Payment.objects.update(last_status_check_at=None)
    age(open_payment, 8 * 86400)
    call_command("reconcile_payments")
    assert asked_about(rsps, order_id) == 1  # past the watch: no longer asked


# ---------------------------------------------------------------- 2 and 3: retrying refunds
@pytest.fixture
def sold_out(api, rsps, open_payment):
    """A payment of ₹200 whose stock ran out before it was paid: it will be refunded."""
    ProductVariant.objects.update(stock=0)
    return open_payment


def test_an_automatic_refund_razorpay_accepted_then_failed_is_sent_again_as_a_new_attempt(
    api, anon_client, staff, rsps, sold_out, django_capture_on_commit_callbacks
):
    sent = mock_refunds(rsps, status="pending")
    mock_refund_fetch(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        assert verify(api, sold_out.provider_order_id, payment_id="pay_OWED").status_code == 409
    first = Refund.objects.get()
    assert first.provider_refund_id

    REFUNDS[first.provider_refund_id]["status"] = "failed"
    failed = refund_webhook_body(
        "refund.failed", REFUNDS[first.provider_refund_id] | {"status": "failed"}
    )
    assert post_webhook(anon_client, failed).status_code == 200
    first.refresh_from_db()
    assert first.status == RefundStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        page = act(staff, "payments/refund", "retry", first.pk)
    assert "1 refund(s) retried" in page.content.decode()
    first.refresh_from_db()
    second = first.retry
    assert second.amount == first.amount and second.automatic
    assert [call.headers["X-Refund-Idempotency"] for call in sent] == [
        str(first.pk),
        str(second.pk),
    ]
    refund_processed(anon_client, second, 20000)
    assert Payment.objects.get().status == PaymentStatus.REFUNDED

    again = act(staff, "payments/refund", "retry", first.pk)
    assert "retried already" in again.content.decode() and len(sent) == 2


def test_retrying_a_failed_staff_refund_after_another_refund_succeeded_refunds_nothing_more(
    staff, rsps, paid_order, django_capture_on_commit_callbacks
):
    refund_url = mock_refund_refused(rsps, "pay_PAIDORDER")
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_in_full", paid_order.pk, apply="1", reason="damaged")
    refused = Refund.objects.get()
    assert refused.status == RefundStatus.FAILED

    rsps.remove(responses.POST, refund_url)
    sent = mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_in_full", paid_order.pk, apply="1", reason="again")
    assert Payment.objects.get().status == PaymentStatus.REFUNDED and len(sent) == 1

    with django_capture_on_commit_callbacks(execute=True):
        page = act(staff, "payments/refund", "retry", refused.pk)
    assert "Nothing is left to refund" in page.content.decode()
    assert len(sent) == 1 and Refund.objects.count() == 2


def test_a_failed_refund_staff_give_up_is_closed_with_who_and_why(
    staff, rsps, sold_out, api, django_capture_on_commit_callbacks
):
    mock_refund_refused(rsps, "pay_GIVEUP", "Account closed")
    with django_capture_on_commit_callbacks(execute=True):
        verify(api, sold_out.provider_order_id, payment_id="pay_GIVEUP")
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.FAILED

    asked = act(staff, "payments/refund", "give_up", refund.pk)
    assert 'name="reason"' in asked.content.decode()  # a reason is asked for first
    act(staff, "payments/refund", "give_up", refund.pk, apply="1", reason="Paid back by NEFT")
    refund.refresh_from_db()
    assert refund.given_up_by.email == "ops@example.com"
    assert refund.given_up_reason == "Paid back by NEFT" and refund.given_up_at is not None
    listed = staff.get("/admin/payments/refund/").content.decode()
    assert "Paid back by NEFT" in listed
    retried = act(staff, "payments/refund", "retry", refund.pk).content.decode()
    assert "This refund was given up; it is not retried" in retried
    assert not Refund.objects.filter(retry_of=refund).exists()


# ---------------------------------------------------------------- 4: who may move money
def view_only_staff(client) -> User:
    member = User.objects.create_user("viewer@example.com", "viewer-pass-123", is_staff=True)
    member.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(member)
    return member


@pytest.mark.ledger_breach("refund_failed")  # the failed refund they could not retry
def test_staff_who_may_only_view_cannot_refund_replay_or_retry(
    client, anon_client, rsps, paid_order, django_capture_on_commit_callbacks
):
    view_only_staff(client)
    sent = mock_refunds(rsps)
    for action, extra in (("refund_in_full", {}), ("refund_part", {"amount": "50.00"})):
        page = act(client, "orders/order", action, paid_order.pk, apply="1", reason="x", **extra)
        assert page.status_code == 200
    assert not Refund.objects.exists() and not sent
    assert "Refund in full" not in client.get("/admin/orders/order/").content.decode()

    event = WebhookEvent.objects.create(
        provider="razorpay", event_id="evt_SEEN", body="{}", signature_valid=True
    )
    act(client, "payments/webhookevent", "replay", event.pk)
    assert WebhookEvent.objects.get(pk=event.pk).attempts == event.attempts

    payment = Payment.objects.get()
    failed = Refund.objects.create(
        payment=payment,
        provider_payment_id=payment.provider_payment_id,
        amount="10.00",
        reason="test",
        automatic=False,
        status=RefundStatus.FAILED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "payments/refund", "retry", failed.pk)
    assert not Refund.objects.filter(retry_of=failed).exists() and not sent


def test_staff_with_the_change_permission_refund_and_the_order_shows_who_and_why(
    client, rsps, paid_order, django_capture_on_commit_callbacks
):
    clerk = User.objects.create_user("clerk@example.com", "clerk-pass-123", is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(codename__in=["view_order", "change_order"])
    )
    client.force_login(clerk)
    mock_refunds(rsps)
    without_reason = act(
        client, "orders/order", "refund_part", paid_order.pk, apply="1", amount="5"
    )
    assert "This field is required" in without_reason.content.decode()
    assert not Refund.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        act(
            client,
            "orders/order",
            "refund_part",
            paid_order.pk,
            apply="1",
            amount="50.00",
            reason="One diya arrived broken",
        )
    refund = Refund.objects.get()
    assert refund.requested_by == clerk and "One diya arrived broken" in refund.reason
    page = client.get(f"/admin/orders/order/{paid_order.pk}/change/").content.decode()
    assert "One diya arrived broken" in page and "clerk@example.com" in page


# ---------------------------------------------------------------- 5: an older payment expires
def test_an_old_payment_expiring_keeps_the_order_while_a_newer_payment_can_still_pay_it(
    api, rsps, settings
):
    mock_order_create(rsps)
    variant = VariantFactory(price="100.00", stock=5)
    add_to_cart(api, variant, 2)
    order_id = place_order(api).json()["id"]
    older = api.post("/api/payments/create/", {"order_id": order_id}, format="json").json()
    newer = api.post("/api/payments/create/", {"order_id": order_id}, format="json").json()
    age(Payment.objects.get(pk=older["payment_id"]), 2000)
    settings.PAYMENT_EXPIRY_SECONDS = 1800
    mock_order_payments(rsps, older["razorpay_order_id"], [])
    call_command("reconcile_payments")

    assert Payment.objects.get(pk=older["payment_id"]).status == PaymentStatus.EXPIRED
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    assert ProductVariant.objects.get().stock == 3 and api.get("/api/cart/").json()["items"] == []
    assert verify(api, newer["razorpay_order_id"]).status_code == 200
    assert Order.objects.get().status == OrderStatus.PAYMENT_CONFIRMED


def test_the_order_is_released_once_its_last_open_payment_expires(api, rsps, settings):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 2)
    order_id = place_order(api).json()["id"]
    for _ in range(2):
        body = api.post("/api/payments/create/", {"order_id": order_id}, format="json").json()
        mock_order_payments(rsps, body["razorpay_order_id"], [])
    Payment.objects.update(created_at=timezone.now() - timedelta(seconds=2000))
    call_command("reconcile_payments")
    assert Order.objects.get().status == OrderStatus.CANCELLED
    assert ProductVariant.objects.get().stock == 5
    assert api.get("/api/cart/").json()["items"][0]["quantity"] == 2


# ---------------------------------------------------------------- 6: the slot passed meanwhile
def test_a_booking_whose_slot_began_while_the_devotee_paid_is_refunded_not_confirmed(
    api, rsps, django_capture_on_commit_callbacks
):
    mock_order_create(rsps)
    mock_refunds(rsps, status="pending")
    cart = booking_cart(api, PujaPackageFactory(price="999.00"))
    body = create_payment(api, cart_id=cart["cart_id"]).json()
    # The devotee pays after the slot's time: its date is now behind us.
    payment = Payment.objects.get()
    snapshot = payment.cart_snapshot
    yesterday = timezone.localdate() - timedelta(days=1)
    snapshot["lines"][0]["selected_date"] = yesterday.isoformat()
    Payment.objects.filter(pk=payment.pk).update(cart_snapshot=snapshot)

    with django_capture_on_commit_callbacks(execute=True):
        answer = verify(api, body["razorpay_order_id"])
    assert answer.status_code == 409 and answer.json()["refunded"] is True
    assert "began before the payment completed" in answer.json()["error"]
    assert not Booking.objects.exists()


# ---------------------------------------------------------------- 7: amounts in paise
@pytest.mark.parametrize(
    ("amount", "said"),
    [
        ("199.995", "more precise than a paisa"),
        ("0.001", "more precise than a paisa"),
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("200.01", "left to refund"),
        ("NaN", "Enter a number"),
        ("abc", "Enter a number"),
        ("1e400", "left to refund"),
    ],
)
def test_a_partial_refund_amount_is_checked_in_paise_with_a_clear_error(
    staff, rsps, paid_order, amount, said
):
    sent = mock_refunds(rsps)
    page = act(
        staff, "orders/order", "refund_part", paid_order.pk, apply="1", amount=amount, reason="r"
    )
    assert page.status_code == 200 and said in page.content.decode()
    assert not Refund.objects.exists() and not sent
    assert Order.objects.get().status == OrderStatus.PAYMENT_CONFIRMED


def test_a_partial_refund_of_everything_left_undoes_the_order(
    staff, rsps, paid_order, django_capture_on_commit_callbacks
):
    mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(
            staff, "orders/order", "refund_part", paid_order.pk, apply="1", amount="150", reason="r"
        )
        act(staff, "orders/order", "refund_part", paid_order.pk, apply="1", amount="50", reason="r")
    assert Order.objects.get().status == OrderStatus.REFUNDED
    assert ProductVariant.objects.get().stock == 5
    assert Payment.objects.get().status == PaymentStatus.REFUNDED


# ---------------------------------------------------------------- 8: what was captured
def test_an_underpaid_capture_refunded_in_full_is_refunded_and_no_longer_needs_attention(
    anon_client, open_payment, rsps, django_capture_on_commit_callbacks
):
    mock_refunds(rsps, status="pending")
    underpaid = payment_entity(open_payment.provider_order_id, 10000, payment_id="pay_SHORT")
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(anon_client, webhook_body("payment.captured", underpaid))
    payment = Payment.objects.get()
    assert payment.needs_attention and str(payment.captured_amount) == "100.00"
    refund = Refund.objects.get()
    assert str(refund.amount) == "100.00"

    refund_processed(anon_client, refund, 10000)
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert not payments_needing_attention().exists()


# ---------------------------------------------------------------- 9: what staff see of a refund
def test_a_refund_that_succeeds_after_an_outage_no_longer_shows_the_outage(api, rsps, sold_out):
    verify(api, sold_out.provider_order_id, payment_id="pay_OUTAGE")
    refund = Refund.objects.get()
    url = f"{payments_url()}/pay_OUTAGE/refund"
    rsps.add(responses.POST, url, body=requests.ConnectionError("down"))
    with pytest.raises(Exception, match="unreachable"):
        refund_send(refund_id=refund.pk)
    assert "unreachable" in Refund.objects.get().last_error
    rsps.remove(responses.POST, url)
    mock_refunds(rsps)
    Refund.objects.update(sending_since=None)
    refund_send(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PROCESSED and refund.last_error == ""


REFUND_CALL = {
    "reference": "9f1c6f64-4a49-4bd6-9d55-8c9c1c0e8a11",
    "provider_order_id": "MO1",
    "provider_payment_id": "pay_X",
    "amount": 100,
    "currency": "INR",
}


@pytest.mark.parametrize("status", [401, 403])
def test_a_revoked_key_is_a_refusal_not_an_outage_for_every_provider(rsps, status):
    rsps.add(
        responses.POST,
        f"{payments_url()}/pay_X/refund",
        status=status,
        body="<html>Unauthorized</html>",
    )
    rsps.add(
        responses.POST,
        f"{stripe_fakes.settings.STRIPE_API_BASE}/v1/refunds",
        status=status,
        json={"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}},
    )
    mock_token(rsps)
    rsps.add(responses.POST, f"{base()}/payments/v2/refund", status=status, json={})
    for provider in (get_provider("razorpay"), get_provider("stripe"), get_provider("phonepe")):
        with pytest.raises(ProviderError):
            provider.refund(**REFUND_CALL)


@pytest.mark.ledger_breach("refund_failed")  # visible: the audit names it until staff act
def test_a_refund_refused_for_a_revoked_key_fails_visibly_instead_of_retrying_forever(
    rsps, open_payment
):
    Payment.objects.update(
        status=PaymentStatus.SUCCESS,
        needs_attention=True,
        provider_payment_id="pay_REVOKED",
        captured_amount="200.00",
    )
    payment = Payment.objects.get()
    refund = refund_owed(
        payment=payment,
        provider_payment_id="pay_REVOKED",
        amount=payment.amount,
        currency="INR",
        reason="test",
    )
    rsps.add(responses.POST, f"{payments_url()}/pay_REVOKED/refund", status=401, body="")
    refund_send(refund_id=refund.pk)  # no exception: nothing for the task to retry
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and "refused our key" in refund.last_error


# ---------------------------------------------------------------- 10: order-first refunds
def test_an_automatic_refund_of_an_order_first_order_marks_the_order_refunded(
    api, anon_client, rsps, settings, django_capture_on_commit_callbacks
):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=2), 2)
    order_id = place_order(api).json()["id"]
    body = api.post("/api/payments/create/", {"order_id": order_id}, format="json").json()
    assert api.post(f"/api/orders/{order_id}/cancel/").status_code == 200
    ProductVariant.objects.update(stock=0)  # sold to someone else meanwhile

    mock_refunds(rsps, status="pending")
    late = payment_entity(body["razorpay_order_id"], 20000, payment_id="pay_LATEORDER")
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(anon_client, webhook_body("payment.captured", late))
    assert Payment.objects.get().needs_attention
    refund_processed(anon_client, Refund.objects.get(), 20000)

    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    order = Order.objects.get()
    assert order.status == OrderStatus.REFUNDED and order.payment_status == "refunded"


def test_stripes_charge_refunded_event_settles_our_refund(
    api, anon_client, rsps, django_capture_on_commit_callbacks
):
    sessions = stripe_fakes.mock_session_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    started = checkout(api).json()
    session = sessions[0]
    paid = stripe_fakes.completed_session(session, payment_intent="pi_REFUNDME")
    stripe_fakes.post_event(
        anon_client, stripe_fakes.event_body("checkout.session.completed", paid)
    )

    refunds_url = f"{stripe_fakes.settings.STRIPE_API_BASE}/v1/refunds"
    rsps.add(
        responses.POST, refunds_url, json={"id": "re_1", "object": "refund", "status": "pending"}
    )
    staff = User.objects.create_superuser("boss@example.com", "boss-pass-12345")
    with django_capture_on_commit_callbacks(execute=True):
        order_refund_by_staff(order_id=started["orderId"], staff=staff, reason="cancelled")
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.REQUESTED and refund.provider_refund_id == "re_1"

    rsps.add(
        responses.GET,
        f"{refunds_url}/re_1",
        json={"id": "re_1", "object": "refund", "status": "succeeded"},
    )
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_REFUNDME", "refunded": True}
    answer = stripe_fakes.post_event(
        anon_client, stripe_fakes.event_body("charge.refunded", charge)
    )
    assert answer.status_code == 200
    assert Refund.objects.get().status == RefundStatus.PROCESSED
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
