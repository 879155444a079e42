"""Queries (round trips to the database) per request, exact and independent of the size of
the cart (and of the number of orders): a checkout costs the same for 1 line as for 50.
Counts include the savepoints of the test's own transaction (BEGIN/COMMIT in production).
Locking variants and reading their stock and holds after the lock are two statements sent
as one query."""

import pytest

from tests.factories import VariantFactory
from tests.flows import create_payment
from tests.payments.gateways.razorpay.fakes import (
    checkout_signature,
    mock_order_create,
    pay_at_razorpay,
    payment_entity,
    post_webhook,
    webhook_body,
)

pytestmark = pytest.mark.django_db
SIZES = [1, 10, 50]


def fill_cart(api, lines: int) -> None:
    for _ in range(lines):
        variant = VariantFactory(price="10.00", stock=50)
        body = {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 1}
        assert api.post("/api/cart/items/", body, format="json").status_code == 201


@pytest.fixture
def opened(api, rsps):
    """A payment opened for a cart of `lines` lines (parametrized by the test)."""

    def open_for(lines: int) -> dict:
        mock_order_create(rsps)
        fill_cart(api, lines)
        return create_payment(api).json()

    return open_for


def verify_body(order_id: str, payment_id: str) -> dict:
    pay_at_razorpay(order_id, payment_id)
    return {
        "razorpay_order_id": order_id,
        "razorpay_payment_id": payment_id,
        "razorpay_signature": checkout_signature(order_id, payment_id),
    }


@pytest.mark.parametrize("lines", SIZES)
def test_adding_to_the_cart_costs_8_queries_whatever_the_cart(
    api, lines, django_assert_num_queries
):
    fill_cart(api, lines)
    variant = VariantFactory(price="10.00", stock=50)
    body = {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 1}
    with django_assert_num_queries(8):
        answer = api.post("/api/cart/items/", body, format="json")
    assert answer.status_code == 201 and len(answer.json()["items"]) == lines + 1


@pytest.mark.parametrize("lines", SIZES)
def test_create_from_cart_costs_10_queries_whatever_the_cart(
    api, rsps, lines, django_assert_num_queries
):
    mock_order_create(rsps)
    fill_cart(api, lines)
    # The 5 of a checkout without holds, and the hold's: its transaction (2), the shopper's
    # turn (their row locked with which of their carts hold, one round trip: fair use, and
    # one cart never held twice), the hold rows, the variants locked with what others hold
    # of them read after the lock.
    with django_assert_num_queries(10):
        assert create_payment(api).status_code == 201
    # A second payment of the cart also gives up the cart's earlier hold.
    with django_assert_num_queries(11):
        assert create_payment(api).status_code == 201


@pytest.mark.parametrize("lines", SIZES)
def test_create_from_cart_with_holds_off_costs_5_queries(
    api, rsps, lines, settings, django_assert_num_queries
):
    settings.CHECKOUT_HOLD_SECONDS = 0
    mock_order_create(rsps)
    fill_cart(api, lines)
    with django_assert_num_queries(5):
        assert create_payment(api).status_code == 201


# A tax document adds one statement to a fulfilment, whatever the cart: its number (an
# upsert of its series' counter), the document and its lines, in one round trip.
TAX_DOCUMENT = 1
# An outbound event adds two statements, whatever the cart and however many endpoints: the
# event, and its deliveries (one INSERT … SELECT). A fulfilment writes order.paid, and
# invoice.issued when it issues a tax document.
EVENT = 2


@pytest.fixture(params=[0, 3], ids=["no-endpoints", "3-endpoints"])
def endpoints(request):
    """Systems of the shop's that hear every event: none, or three."""
    from outbound.models import Endpoint

    for n in range(request.param):
        Endpoint.objects.create(url=f"https://erp{n}.example.com/hooks", secret="whsec_dGVzdA==")


@pytest.mark.parametrize("gst", [True, False], ids=["gst-on", "gst-off"])
@pytest.mark.parametrize("lines", SIZES)
def test_verify_that_fulfils_costs_18_queries_and_3_for_its_tax_document(
    api, opened, lines, gst, settings, endpoints, django_assert_num_queries
):
    settings.GST_SELLER_GSTIN = settings.GST_SELLER_GSTIN if gst else ""
    body = verify_body(opened(lines)["razorpay_order_id"], "pay_BUDGET")
    # One more than without holds: the payment's holds given up (what others hold of its
    # variants is read with the variants' lock).
    with django_assert_num_queries(16 + EVENT + (TAX_DOCUMENT + EVENT) * gst):
        assert api.post("/api/payments/verify/", body, format="json").status_code == 200


@pytest.mark.parametrize("gst", [True, False], ids=["gst-on", "gst-off"])
@pytest.mark.parametrize("lines", SIZES)
def test_a_webhook_that_fulfils_costs_19_queries_and_3_for_its_tax_document(
    anon_client, opened, lines, gst, settings, django_assert_num_queries
):
    settings.GST_SELLER_GSTIN = settings.GST_SELLER_GSTIN if gst else ""
    payment = opened(lines)
    entity = payment_entity(payment["razorpay_order_id"], payment["amount"])
    with django_assert_num_queries(17 + EVENT + (TAX_DOCUMENT + EVENT) * gst):
        assert (
            post_webhook(anon_client, webhook_body("payment.captured", entity)).status_code == 200
        )


@pytest.mark.parametrize("lines", SIZES)
def test_redeliveries_of_a_fulfilled_payment_cost_at_most_6_queries(
    anon_client, opened, lines, django_assert_num_queries
):
    payment = opened(lines)
    entity = payment_entity(payment["razorpay_order_id"], payment["amount"], payment_id="pay_R")
    body = webhook_body("payment.captured", entity)
    post_webhook(anon_client, body, event_id="evt_FIRST")
    with django_assert_num_queries(1):  # the same event again: one upsert says so
        assert post_webhook(anon_client, body, event_id="evt_FIRST").json()["already_processed"]
    with django_assert_num_queries(6):  # another event about the same, settled payment
        assert post_webhook(anon_client, body, event_id="evt_OTHER").status_code == 200


@pytest.mark.parametrize("lines", SIZES)
def test_reading_the_cart_and_orders_costs_at_most_3_queries(
    api, opened, lines, django_assert_num_queries
):
    for _ in range(3 if lines == 50 else 1):  # more orders cost nothing more either
        order_id = api.post(
            "/api/payments/verify/",
            verify_body(opened(lines)["razorpay_order_id"], f"pay_{_}"),
            format="json",
        ).json()["order_id"]
    fill_cart(api, lines)
    with django_assert_num_queries(3):
        assert len(api.get("/api/cart/").json()["items"]) == lines
    with django_assert_num_queries(3):
        assert len(api.get(f"/api/orders/{order_id}/").json()["items"]) == lines
    with django_assert_num_queries(3):
        assert api.get("/api/orders/").status_code == 200


@pytest.mark.parametrize("history", [1, 10, 50])
def test_a_dispute_event_costs_10_queries_whatever_its_history(
    anon_client, api, opened, history, django_assert_num_queries
):
    from tests.flows import verify
    from tests.payments.gateways.razorpay.fakes import dispute_entity, dispute_webhook_body

    payment = opened(1)
    assert verify(api, payment["razorpay_order_id"], payment_id="pay_DISPUTED").status_code == 200
    dispute = dispute_entity("pay_DISPUTED", amount=payment["amount"])
    for _ in range(history):
        post_webhook(anon_client, dispute_webhook_body("payment.dispute.action_required", dispute))
    review = dispute | {"status": "under_review"}
    # 10: the order's and booking's dispute_status is read from the dispute, not copied.
    with django_assert_num_queries(10):
        assert (
            post_webhook(
                anon_client, dispute_webhook_body("payment.dispute.under_review", review)
            ).status_code
            == 200
        )


@pytest.mark.ledger_breach("lost_but_open")
@pytest.mark.parametrize("history", [1, 10, 50])
@pytest.mark.parametrize("lines", [1, 10])
def test_a_lost_dispute_with_its_credit_note_costs_24_queries_whatever_its_history(
    anon_client, api, opened, history, lines, django_assert_num_queries
):
    """What the bank took reduces the refunds not yet sent and is credited on the invoice:
    a fixed number of statements, however long the dispute's history or the invoice."""
    from tests.flows import verify
    from tests.payments.gateways.razorpay.fakes import dispute_entity, dispute_webhook_body

    payment = opened(lines)
    assert verify(api, payment["razorpay_order_id"], payment_id="pay_LOST").status_code == 200
    dispute = dispute_entity("pay_LOST", amount=payment["amount"] // 2)
    for _ in range(history):
        post_webhook(anon_client, dispute_webhook_body("payment.dispute.action_required", dispute))
    lost = dispute | {"status": "lost", "amount_deducted": payment["amount"] // 2}
    with django_assert_num_queries(24):
        body = dispute_webhook_body("payment.dispute.lost", lost)
        assert post_webhook(anon_client, body).status_code == 200


def test_a_guests_checkout_costs_what_a_users_does_and_one_statement_for_its_contact(
    anon_client, rsps, settings, django_assert_num_queries
):
    """The guest's cart token is read in one statement as a user's bearer token is; the
    contact, written when it changes, is the one more."""
    from tests.guests.test_guest_checkout import CHECKOUT, start_guest

    mock_order_create(rsps)
    guest, _ = start_guest(VariantFactory(price="10.00", stock=50))
    with django_assert_num_queries(10 + 1):
        opened = guest.post("/api/payments/create-from-cart/", CHECKOUT, format="json")
    assert opened.status_code == 201
    body = verify_body(opened.json()["razorpay_order_id"], "pay_GUESTBUDGET")
    with django_assert_num_queries(16 + EVENT + TAX_DOCUMENT + EVENT):
        assert guest.post("/api/payments/verify/", body, format="json").status_code == 200
