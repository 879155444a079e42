from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.guest_apis import guest_contact_take
from config.serializers import Input
from idempotency.apis import idempotency_key_of, idempotent

from ...apis.answers import errors
from ...apis.common import ProviderEndpoint, WebhookApi, signed_by
from ...apis.status import payment_order_body
from ...models import Payment
from ...money import to_minor
from ...services.checkout import payment_open_at_provider, payment_start_from_cart
from . import GATEWAY
from .answers import CartPaymentOutput, ProcessCartOutput


class ProcessCartInput(Input):
    cart_id = serializers.CharField(max_length=64)
    method = serializers.CharField(max_length=20)

    def validate_method(self, value: str) -> str:
        if value.upper() != "PHONEPE":
            raise serializers.ValidationError(f"Unknown payment method {value!r}; use PHONEPE.")
        return value


class CartPaymentInput(Input):
    cart_id = serializers.CharField(max_length=64)
    redirect_url = serializers.CharField(
        required=False,
        max_length=2000,
        help_text="Used only when its origin is a configured frontend's; else ignored",
    )


CHECKOUT_ERRORS = errors(
    {
        400: "Empty cart, already paid for, out of stock, slot taken, unknown method",
        404: "Cart not found",
        409: "What the cart needs is held by another shopper's checkout",
        429: "Too many of the shopper's checkouts hold stock or slots already",
        502: "PhonePe could not be reached",
    }
)


class _PhonePeCheckoutApi(ProviderEndpoint):
    """Both PhonePe checkout endpoints: freeze the cart into a payment, open it at
    PhonePe; subclasses shape the answer."""

    InputSerializer: type[serializers.Serializer]
    provider_name = GATEWAY.name

    def answer(self, payment: Payment) -> dict:
        raise NotImplementedError

    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guest_contact_take(request)
        payment = payment_start_from_cart(
            user=request.user,
            cart_ref=data.validated_data["cart_id"],
            provider=GATEWAY.name,
            return_url=data.validated_data.get("redirect_url", ""),
            idempotency_key=idempotency_key_of(request),
        )
        # PhonePe sends the browser back to our redirect handler, never to a client-chosen URL.
        query = urlencode({"merchant_order_id": payment.merchant_order_id})
        return_url = request.build_absolute_uri(f"{reverse('payment-redirect')}?{query}")
        opened = payment_open_at_provider(payment=payment, return_url=return_url)
        return Response(self.answer(opened.payment), status=status.HTTP_201_CREATED)


class ProcessCartApi(_PhonePeCheckoutApi):
    """Older endpoint: its `amount` is a decimal string in rupees."""

    InputSerializer = ProcessCartInput

    def answer(self, payment: Payment) -> dict:
        return ProcessCartOutput(
            {
                "success": True,
                "payment_id": payment.pk,
                "merchant_order_id": payment.merchant_order_id,
                "payment_url": payment.checkout_url,
                "amount": str(payment.amount),
                "amount_paise": to_minor(payment.amount),
                "status": "PENDING",
                "held_until": payment.held_until,
            }
        ).data

    @extend_schema(request=ProcessCartInput, responses={201: ProcessCartOutput, **CHECKOUT_ERRORS})
    @idempotent
    def post(self, request):
        return super().post(request)


class CartPaymentApi(_PhonePeCheckoutApi):
    InputSerializer = CartPaymentInput

    def answer(self, payment: Payment) -> dict:
        answer: serializers.Serializer = CartPaymentOutput(
            {
                "success": True,
                "message": "Payment order created for cart",
                "data": {"payment_order": payment_order_body(payment)},
            }
        )
        return answer.data

    @extend_schema(request=CartPaymentInput, responses={201: CartPaymentOutput, **CHECKOUT_ERRORS})
    @idempotent
    def post(self, request):
        return super().post(request)


@signed_by("Authorization")
class PhonePeWebhookApi(WebhookApi):
    provider_name = GATEWAY.name
