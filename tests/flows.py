"""What a frontend does over HTTP, step by step, shared by every test that walks a
checkout: fill a cart, start a payment with each provider, pay and come back."""

from tests.factories import future_slot
from tests.payments.gateways.phonepe.fakes import webhook_body
from tests.payments.gateways.razorpay.fakes import ADDRESS, checkout_signature, pay_at_razorpay


# ---------------------------------------------------------------- carts
def add_to_cart(api, variant, quantity):
    body = {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": quantity}
    assert api.post("/api/cart/items/", body, format="json").status_code == 201


def slot_body(package, time="10:00") -> dict:
    """A booking cart's (or a waiting list's) slot: the package's service a week ahead."""
    return {
        "service_type": "PUJA",
        "puja_service": package.service_id,
        "package": package.pk,
        "selected_date": future_slot()["selected_date"].isoformat(),
        "selected_time": time,
    }


def booking_cart(api, package, time="10:00"):
    response = api.post("/api/cart/carts/", slot_body(package, time), format="json")
    assert response.status_code == 201
    return response.json()


# ---------------------------------------------------------------- Razorpay
def create_payment(api, **extra):
    body = {
        "shipping_address": ADDRESS,
        "billing_address": ADDRESS,
        "payment_method": "razorpay",
        "currency": "INR",
    } | extra
    return api.post("/api/payments/create-from-cart/", body, format="json")


def verify(api, order_id, payment_id=None, path="verify", signature=None):
    """The shopper pays at Razorpay, then the frontend posts checkout's result to us."""
    payment_id = payment_id or f"pay_{order_id[-10:]}"
    pay_at_razorpay(order_id, payment_id)
    body = {
        "razorpay_order_id": order_id,
        "razorpay_payment_id": payment_id,
        "razorpay_signature": signature or checkout_signature(order_id, payment_id),
    }
    return api.post(f"/api/payments/{path}/", body, format="json")


def place_order(api):
    """Order-first: a pending_payment order from the shop cart."""
    body = {"shipping_address": ADDRESS, "billing_address": ADDRESS}
    return api.post("/api/orders/", body, format="json")


# ---------------------------------------------------------------- PhonePe
def start(api, cart):
    response = api.post("/api/payments/cart/", {"cart_id": cart["cart_id"]}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]["payment_order"]


def completed(order, state="COMPLETED"):
    event = "checkout.order.completed" if state == "COMPLETED" else "checkout.order.failed"
    return webhook_body(event, order["merchant_order_id"], order["amount"], state)


# ---------------------------------------------------------------- Stripe
def checkout(api, **body):
    return api.post(
        "/api/payments/stripe/checkout-session/",
        body or {"shipping_address": ADDRESS},
        format="json",
    )
