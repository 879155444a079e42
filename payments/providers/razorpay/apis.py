from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.guest_apis import guest_contact_take
from cart.lines import snapshot_lines
from config.serializers import IdField, Input
from idempotency.apis import idempotency_key_of, idempotent

from ...apis.answers import FulfilledOutput, NeedsAttentionOutput, errors
from ...apis.common import (
    CartCheckoutInputSerializer,
    ProviderEndpoint,
    WebhookApi,
    fulfilment_response,
    signed_by,
)
from ...money import to_minor
from ...services.checkout import (
    OpenedPayment,
    hold_seconds_left,
    payment_notes,
    payment_open_at_provider,
    payment_start_for_order,
    payment_start_from_cart,
)
from . import GATEWAY
from .answers import AwaitingCaptureOutput, RazorpayCheckoutOutput
from .verify import AwaitingCapture, payment_verify_razorpay


def _checkout_body(opened: OpenedPayment, user) -> dict:
    payment = opened.payment
    order_id = opened.provider_order.provider_order_id
    billing = payment.billing_address or {}
    name = f"{billing.get('first_name', '')} {billing.get('last_name', '')}".strip()
    return RazorpayCheckoutOutput(
        {
            "success": True,
            "payment_id": payment.pk,
            "order_id": order_id,
            "razorpay_order_id": order_id,
            "amount": to_minor(payment.amount),
            "amount_decimal": str(payment.amount),
            "currency": payment.currency,
            "key": settings.RAZORPAY_KEY_ID,
            "name": "paycart",
            "description": f"Payment {payment.pk}",
            "prefill": {
                "name": name or user.full_name,
                "email": user.reach_email,
                "contact": billing.get("phone") or user.phone,
            },
            # The contract's notes always carry cart_id (null for an order-first payment).
            "notes": {"cart_id": None} | payment_notes(payment),
            "cart_items_count": sum(
                line["quantity"] for line in snapshot_lines(payment.cart_snapshot)
            ),
            # The holds end then: give Checkout.js `timeout` so its form closes with them.
            "held_until": payment.held_until,
            "timeout": hold_seconds_left(payment),
        }
    ).data


class RazorpayEndpoint(ProviderEndpoint):
    provider_name = GATEWAY.name


class CreateFromCartApi(RazorpayEndpoint):
    class InputSerializer(CartCheckoutInputSerializer):
        payment_method = serializers.ChoiceField(choices=["razorpay"], default="razorpay")

    @extend_schema(
        request=InputSerializer,
        responses={
            201: RazorpayCheckoutOutput,
            **errors(
                {
                    400: "Empty cart, already paid for, invalid coupon, out of stock, slot taken",
                    404: "Cart not found",
                    409: "What the cart needs is held by another shopper's checkout",
                    429: "Too many of the shopper's checkouts hold stock or slots already",
                    502: "Razorpay could not be reached",
                }
            ),
        },
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        guest_contact_take(request)
        payment = payment_start_from_cart(
            user=request.user,
            cart_ref=values.get("cart_id"),
            provider=GATEWAY.name,
            currency=values["currency"],
            shipping_address=values["shipping_address"],
            billing_address=values["billing_address"],
            coupon_code=values.get("coupon_code", ""),
            idempotency_key=idempotency_key_of(request),
        )
        opened = payment_open_at_provider(payment=payment)
        return Response(_checkout_body(opened, request.user), status=status.HTTP_201_CREATED)


class CreateForOrderApi(RazorpayEndpoint):
    """Legacy order-first: pay for an existing pending_payment order."""

    class InputSerializer(Input):
        order_id = IdField()

    @extend_schema(
        request=InputSerializer,
        responses={
            201: RazorpayCheckoutOutput,
            **errors({400: "Not awaiting payment", 404: "Order not found", 502: "Razorpay down"}),
        },
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = payment_start_for_order(
            user=request.user, order_id=data.validated_data["order_id"], provider=GATEWAY.name
        )
        opened = payment_open_at_provider(payment=payment)
        return Response(_checkout_body(opened, request.user), status=status.HTTP_201_CREATED)


class VerifyApi(RazorpayEndpoint):
    status_text = "Payment successful"

    class InputSerializer(Input):
        razorpay_order_id = serializers.CharField(max_length=100)
        razorpay_payment_id = serializers.CharField(max_length=100)
        razorpay_signature = serializers.CharField(max_length=256)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: FulfilledOutput,
            202: OpenApiResponse(
                AwaitingCaptureOutput,
                description="Authorised but not captured (capture left to the webhook)",
            ),
            409: OpenApiResponse(
                NeedsAttentionOutput, description="Paid but not fulfillable: it is refunded"
            ),
            **errors(
                {
                    400: "Bad signature, or Razorpay reports no capture",
                    404: "Payment not found",
                    502: "Razorpay could not confirm the payment",
                }
            ),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = payment_verify_razorpay(
            user=request.user,
            provider_order_id=values["razorpay_order_id"],
            provider_payment_id=values["razorpay_payment_id"],
            signature=values["razorpay_signature"],
        )
        if isinstance(result, AwaitingCapture):
            awaiting = {
                "status": "Payment authorised; the order is made once Razorpay captures it.",
                "order_created": False,
                "payment_id": result.payment.pk,
            }
            return Response(AwaitingCaptureOutput(awaiting).data, status=status.HTTP_202_ACCEPTED)
        return fulfilment_response(result, status_text=self.status_text)


class ConfirmRazorpayApi(VerifyApi):
    status_text = "success"


@signed_by("X-Razorpay-Signature", "X-Razorpay-Event-Id")
class RazorpayWebhookApi(WebhookApi):
    provider_name = GATEWAY.name
