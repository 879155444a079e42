"""The sandbox answers the real SDKs over HTTP, and what it signs verifies with the
providers' own utilities."""

import importlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import razorpay
import requests
import stripe
from django.test import Client
from django.urls import clear_url_caches

from payments.gateways.base import ProviderError
from payments.gateways.registry import get_provider
from payments.models import WebhookEvent, WebhookEventStatus
from payments.providers.razorpay.adapter import RazorpayProvider
from sandbox import urls as sandbox_urls
from simulators.stripe import signature_header

pytestmark = pytest.mark.django_db(transaction=True)


def press(site: str, pay_page: str, outcome: str = "pay") -> requests.Response:
    """What a person does on a hosted pay page: load it, click Pay or Fail."""
    browser = requests.Session()
    page = browser.get(f"{site}{pay_page}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(
        f"{site}{pay_page}",
        data={"csrfmiddlewaretoken": token, "outcome": outcome},
        headers={"Referer": f"{site}{pay_page}"},
        allow_redirects=False,
    )


def test_razorpay_sandbox_signatures_verify_with_the_sdk(sandbox_site, settings):
    order = get_provider("razorpay").create_order(
        reference="MOsdk1", amount=12300, currency="INR", notes={"cart_id": "C"}, return_url=""
    )
    assert order.provider_order_id.startswith("order_")
    answer = press(
        sandbox_site, f"/sandbox/razorpay/pay/{order.provider_order_id}/?callback=/demo/back"
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.path == "/demo/back"
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    client = razorpay.Client(auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET))
    assert client.utility.verify_payment_signature(params) is True
    # Its webhook reached our endpoint and passed the SDK's webhook check (no payment of
    # ours matches this order, so it is acknowledged and ignored).
    event = WebhookEvent.objects.get(provider="razorpay")
    assert event.event_type == "payment.captured" and event.status == WebhookEventStatus.IGNORED
    assert (
        get_provider("razorpay").fetch_charge(provider_order_id=order.provider_order_id).state
        == "PAID"
    )


def test_razorpay_sandbox_refuses_wrong_credentials(sandbox_site, settings):
    intruder = RazorpayProvider(
        key_id=settings.RAZORPAY_KEY_ID,
        key_secret="not-the-secret",
        webhook_secret="",
        base_url=settings.RAZORPAY_BASE_URL,
        timeout=5,
    )
    with pytest.raises(ProviderError, match="Authentication failed"):
        intruder.create_order(reference="MOx", amount=100, currency="INR", notes={}, return_url="")


def test_stripe_sandbox_events_verify_with_the_sdk(sandbox_site, settings):
    session = get_provider("stripe").create_order(
        reference="MOsdk2",
        amount=45600,
        currency="INR",
        notes={"payment_id": "p1"},
        return_url=f"{sandbox_site}/demo/order-success/1",
    )
    assert session.client_secret.startswith(session.provider_order_id)
    body = b'{"id": "evt_1", "object": "event", "type": "ping", "data": {"object": {}}}'
    event = stripe.Webhook.construct_event(
        body, signature_header(body, settings.STRIPE_WEBHOOK_SECRET), settings.STRIPE_WEBHOOK_SECRET
    )
    assert event.id == "evt_1"

    answer = press(sandbox_site, f"/sandbox/stripe/pay/{session.provider_order_id}/")
    assert answer.headers["Location"] == f"{sandbox_site}/demo/order-success/1"
    delivered = WebhookEvent.objects.get(provider="stripe")
    assert delivered.event_type == "checkout.session.completed"
    # Verified by stripe.Webhook.construct_event, then ignored: no payment of ours has it.
    assert delivered.status == WebhookEventStatus.IGNORED
    charge = get_provider("stripe").fetch_charge(provider_order_id=session.provider_order_id)
    assert (
        charge.state == "PAID"
        and charge.amount == 45600
        and charge.shipping_address["city"] == "Pune"
    )


def test_stripe_sandbox_session_expires_once(sandbox_site):
    session = get_provider("stripe").create_order(
        reference="MOsdk3", amount=100, currency="INR", notes={}, return_url=f"{sandbox_site}/demo/"
    )
    get_provider("stripe").cancel_order(provider_order_id=session.provider_order_id)
    assert (
        get_provider("stripe").fetch_charge(provider_order_id=session.provider_order_id).state
        == "EXPIRED"
    )
    with pytest.raises(Exception, match="expire"):
        get_provider("stripe").cancel_order(provider_order_id=session.provider_order_id)


def test_phonepe_sandbox_webhook_authorization_and_status(sandbox_site, settings):
    provider = get_provider("phonepe")
    order = provider.create_order(
        reference="MOsdk4",
        amount=99900,
        currency="INR",
        notes={},
        return_url=f"{sandbox_site}/demo/x",
    )
    assert provider.fetch_charge(provider_order_id="MOsdk4").state == "PENDING"
    answer = press(sandbox_site, urlsplit(order.checkout_url).path, outcome="fail")
    assert answer.headers["Location"] == f"{sandbox_site}/demo/x"
    delivered = WebhookEvent.objects.get(provider="phonepe")
    assert delivered.event_type == "checkout.order.failed"
    # Authorization matched; then ignored, as no payment of ours has this order.
    assert delivered.status == WebhookEventStatus.IGNORED
    charge = provider.fetch_charge(provider_order_id="MOsdk4")
    assert charge.state == "FAILED" and charge.reason == "PAYMENT_DECLINED"


@pytest.fixture
def urls_without_sandbox(settings):
    import config.urls

    settings.PAYMENTS_SANDBOX = False
    clear_url_caches()
    importlib.reload(config.urls)
    yield
    settings.PAYMENTS_SANDBOX = True
    clear_url_caches()
    importlib.reload(config.urls)


def _sample_paths() -> list[str]:
    paths = []
    for pattern in sandbox_urls.urlpatterns:
        route = re.sub(r"<[^>]+>", "x1", str(pattern.pattern))
        paths.append(f"/sandbox/{route}")
    return [*paths, "/demo/", "/demo/confirmbooking"]


def test_sandbox_routes_exist_when_on():
    client = Client()
    assert client.get("/demo/").status_code == 200
    assert client.get("/sandbox/razorpay/v1/orders").status_code == 405  # mounted: POST only


def test_turning_the_sandbox_off_removes_every_sandbox_route(urls_without_sandbox):
    client = Client()
    for path in _sample_paths():
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code == 404, path


def test_sandbox_refunds_answer_like_the_providers(sandbox_site, settings):
    razorpay_order = get_provider("razorpay").create_order(
        reference="MOrf1", amount=5000, currency="INR", notes={}, return_url=""
    )
    press(sandbox_site, f"/sandbox/razorpay/pay/{razorpay_order.provider_order_id}/")
    charge = get_provider("razorpay").fetch_charge(
        provider_order_id=razorpay_order.provider_order_id
    )
    sdk = razorpay.Client(
        auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET),
        base_url=settings.RAZORPAY_BASE_URL,
    )
    refund = sdk.payment.refund(charge.provider_payment_id, {"amount": 2000})
    assert refund["entity"] == "refund" and refund["amount"] == 2000
    assert refund["payment_id"] == charge.provider_payment_id and refund["id"].startswith("rfnd_")

    session = get_provider("stripe").create_order(
        reference="MOrf2", amount=7000, currency="INR", notes={}, return_url=f"{sandbox_site}/demo/"
    )
    press(sandbox_site, f"/sandbox/stripe/pay/{session.provider_order_id}/")
    intent = get_provider("stripe").fetch_charge(provider_order_id=session.provider_order_id)
    client = stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}
    )
    stripe_refund = client.v1.refunds.create({"payment_intent": intent.provider_payment_id})
    assert stripe_refund.status == "succeeded" and stripe_refund.amount == 7000

    phonepe = get_provider("phonepe")
    phonepe_order = phonepe.create_order(
        reference="MOrf3", amount=9900, currency="INR", notes={}, return_url=f"{sandbox_site}/demo/"
    )
    press(sandbox_site, urlsplit(phonepe_order.checkout_url).path)
    token = phonepe._token()
    answer = requests.post(
        f"{settings.PHONEPE_BASE_URL}/payments/v2/refund",
        json={"merchantRefundId": "R1", "originalMerchantOrderId": "MOrf3", "amount": 9900},
        headers={"Authorization": f"O-Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json()["state"] == "PENDING"
    too_much = requests.post(
        f"{settings.PHONEPE_BASE_URL}/payments/v2/refund",
        json={"merchantRefundId": "R2", "originalMerchantOrderId": "MOrf3", "amount": 99999},
        headers={"Authorization": f"O-Bearer {token}"},
        timeout=10,
    )
    assert too_much.status_code == 400


def test_razorpay_sandbox_payment_link_from_staff_to_devotee(sandbox_site, settings):
    """A person can try the phone-booking flow locally: staff make a link, the devotee opens
    its short URL and pays; the sandbox signs the callback and the webhook as Razorpay."""
    from bookings.models import Booking
    from catalog.models import PujaPackage

    staff = requests.post(
        f"{sandbox_site}/api/accounts/token/",
        json={"email": "admin@example.com", "password": "admin-pass-123"},
    ).json()["access"]
    package = PujaPackage.objects.order_by("id").first()
    made = requests.post(
        f"{sandbox_site}/api/payments/links/",
        headers={"Authorization": f"Bearer {staff}"},
        json={
            "customer": {
                "email": "phone.devotee@example.com",
                "name": "Ravi K",
                "phone": "9000000001",
            },
            "booking": {
                "puja_service": package.service_id,
                "package": package.pk,
                "selected_date": "2031-01-15",
                "selected_time": "11:00",
            },
        },
    )
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["short_url"].startswith(f"{sandbox_site}/sandbox/razorpay/l/plink_")
    answer = press(sandbox_site, urlsplit(link["short_url"]).path)
    location = urlsplit(answer.headers["Location"])
    assert location.path == "/api/payments/links/callback/"
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    client = razorpay.Client(auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET))
    assert client.utility.verify_payment_link_signature(
        {
            "payment_link_id": params["razorpay_payment_link_id"],
            "payment_link_reference_id": params["razorpay_payment_link_reference_id"],
            "payment_link_status": params["razorpay_payment_link_status"],
            "razorpay_payment_id": params["razorpay_payment_id"],
            "razorpay_signature": params["razorpay_signature"],
        }
    )
    landed = requests.get(f"{sandbox_site}{location.path}?{location.query}", allow_redirects=False)
    assert landed.headers["Location"] == (
        f"{sandbox_site}/demo/confirmbooking?payment_id={link['payment_id']}"
    )
    booking = Booking.objects.get(payment_id=link["payment_id"])
    assert booking.user.email == "phone.devotee@example.com"
    event = WebhookEvent.objects.get(event_type="payment_link.paid")
    assert event.status == WebhookEventStatus.PROCESSED
    listed = requests.get(
        f"{sandbox_site}/api/payments/links/", headers={"Authorization": f"Bearer {staff}"}
    ).json()
    assert listed[0]["status"] == "paid"


def test_during_a_rotation_what_we_sign_uses_the_new_secret(sandbox_site, settings, caplog):
    """The sandbox is the one thing here that signs webhooks: with a previous secret
    configured, its delivery still verifies with the current one (no previous-secret
    warning is logged)."""
    import logging

    settings.RAZORPAY_WEBHOOK_SECRET_PREVIOUS = "the-old-webhook-secret"
    order = get_provider("razorpay").create_order(
        reference="MOrotate1", amount=12300, currency="INR", notes={}, return_url=""
    )
    with caplog.at_level(logging.WARNING):
        press(sandbox_site, f"/sandbox/razorpay/pay/{order.provider_order_id}/?callback=/demo/back")
    event = WebhookEvent.objects.get(provider="razorpay")
    assert event.signature_valid and event.status == WebhookEventStatus.IGNORED
    assert "previous secret" not in caplog.text
