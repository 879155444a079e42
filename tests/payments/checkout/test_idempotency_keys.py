"""Safe client retries with Idempotency-Key on every creating POST."""

import json
import time
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from cart.models import Cart
from idempotency.models import IdempotencyKey
from idempotency.services import Claim, Replay, fingerprint, idempotency_claim, idempotency_complete
from orders.models import Order
from payments.models import Payment
from tests.conftest import client_for, run_concurrently
from tests.factories import PujaPackageFactory, UserFactory, VariantFactory, future_slot
from tests.flows import add_to_cart
from tests.payments.gateways.razorpay.fakes import ADDRESS, mock_order_create, orders_url

pytestmark = pytest.mark.django_db
BODY = {"shipping_address": ADDRESS, "billing_address": ADDRESS, "payment_method": "razorpay"}


def create(api, key, body=BODY):
    return api.post(
        "/api/payments/create-from-cart/", body, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def provider_orders(rsps) -> int:
    return sum(1 for c in rsps.calls if c.request.url == orders_url())


def test_a_retry_with_the_same_key_and_body_answers_the_first_answer_and_creates_nothing(api, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    first = create(api, "key-1")
    again = create(api, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Payment.objects.count() == 1 and provider_orders(rsps) == 1
    other_key = create(api, "key-2")
    assert other_key.status_code == 201 and Payment.objects.count() == 2


def test_the_same_key_with_another_body_is_422(api, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    create(api, "key-1")
    response = create(api, "key-1", BODY | {"coupon_code": "OTHER"})
    assert response.status_code == 422 and "different request" in response.json()["error"]
    assert Payment.objects.count() == 1


def test_keys_are_per_user(api, rsps):
    mock_order_create(rsps)
    other = client_for(UserFactory())
    for client in (api, other):
        add_to_cart(client, VariantFactory(price="100.00", stock=5), 1)
        assert create(client, "shared-key").status_code == 201
    assert Payment.objects.count() == 2


def test_a_4xx_is_an_answer_too_but_a_5xx_lets_the_retry_run(api, rsps):
    empty = create(api, "key-empty")
    assert empty.status_code == 400
    assert create(api, "key-empty").json() == empty.json()

    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    rsps.add(responses.POST, orders_url(), status=503, body="")
    assert create(api, "key-down").status_code == 502
    rsps.remove(responses.POST, orders_url())
    mock_order_create(rsps)
    assert create(api, "key-down").status_code == 201


def test_a_key_lives_24_hours(api, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    create(api, "key-1")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert create(api, "key-1").status_code == 201 and Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/orders/", {"shipping_address": ADDRESS, "billing_address": ADDRESS}),
        ("/api/cart/carts/", "booking"),
    ],
)
def test_orders_and_booking_carts_honour_the_key(api, path, body):
    if body == "booking":
        package = PujaPackageFactory()
        body = {
            "service_type": "PUJA",
            "puja_service": package.service_id,
            "package": package.pk,
            "selected_date": future_slot()["selected_date"].isoformat(),
            "selected_time": "10:00",
        }
    else:
        add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    answers = [
        api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="k").json() for _ in range(2)
    ]
    assert answers[0] == answers[1]
    assert Order.objects.count() + Cart.objects.filter(kind="BOOKING").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_requests_with_one_key_create_one_payment(rsps):
    created = []

    def slow_provider(request):  # the first request is still running when the second comes
        time.sleep(0.5)
        body = json.loads(request.body)
        order = {"id": f"order_{len(created)}SLOW", "amount": body["amount"], "currency": "INR"}
        created.append(order)
        return 200, {}, json.dumps(order)

    rsps.add_callback(responses.POST, orders_url(), callback=slow_provider)
    user = UserFactory()
    api = client_for(user)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    results = run_concurrently(*[lambda: create(client_for(user), "same-key")] * 2)
    assert sorted(r.status_code for r in results) == [201, 409]
    assert Payment.objects.count() == 1 and len(created) == 1
    assert create(api, "same-key").status_code == 201  # now finished: the first answer


def test_a_malformed_key_is_400(api):
    response = api.post("/api/orders/", {}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]


def claim_left_by_a_dead_request(user, key: str, seconds_ago: int) -> None:
    """What a request killed mid-way leaves: its claim on the key, never answered."""
    IdempotencyKey.objects.create(
        user=user,
        key=key,
        fingerprint=fingerprint(method="POST", path="/api/payments/create-from-cart/", body=BODY),
        claimed_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def test_a_key_whose_request_died_is_taken_over_after_the_claim_timeout(api, user, rsps, settings):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    settings.IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS = 120
    claim_left_by_a_dead_request(user, "died-recently", seconds_ago=60)
    still = create(api, "died-recently")
    assert still.status_code == 409 and "still being processed" in still.json()["error"]
    assert still["Retry-After"] == "2" and still.json()["retry_after"] == 2

    claim_left_by_a_dead_request(user, "died-long-ago", seconds_ago=121)
    taken_over = create(api, "died-long-ago")
    assert taken_over.status_code == 201
    assert create(api, "died-long-ago").json() == taken_over.json()  # now its answer is kept
    assert Payment.objects.count() == 1


def test_only_the_current_claim_stores_an_answer(user, settings):
    settings.IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS = 120
    claim_left_by_a_dead_request(user, "slow", seconds_ago=200)
    slow = Claim(user.pk, "slow", IdempotencyKey.objects.get().claimed_at)
    request = fingerprint(method="POST", path="/api/payments/create-from-cart/", body=BODY)
    retry = idempotency_claim(user=user, key="slow", request_fingerprint=request)
    assert isinstance(retry, Claim) and retry.claimed_at > slow.claimed_at
    idempotency_complete(claim=slow, status_code=201, body={"from": "the slow one"})
    idempotency_complete(claim=retry, status_code=201, body={"from": "the retry"})
    replay = idempotency_claim(user=user, key="slow", request_fingerprint=request)
    assert isinstance(replay, Replay) and replay.body == {"from": "the retry"}


@pytest.mark.django_db(transaction=True)
def test_requests_racing_on_one_key_while_the_provider_fails_never_answer_5xx_of_our_own(rsps):
    rsps.add(responses.POST, orders_url(), status=500, json={"error": {"code": "SERVER_ERROR"}})
    user = UserFactory()
    add_to_cart(client_for(user), VariantFactory(price="100.00", stock=50), 1)
    codes = set()
    for round_number in range(8):
        key = f"racing-{round_number}"
        results = run_concurrently(*[lambda key=key: create(client_for(user), key)] * 4)
        assert not [r for r in results if isinstance(r, Exception)]
        codes |= {r.status_code for r in results}
    # The provider's 502 (the key let go, so a retry really runs) or "still running".
    assert codes <= {502, 409} and 502 in codes
