from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.guest_apis import guest_contact_take
from config.serializers import Input
from idempotency.apis import idempotent
from orders.serializers import AddressSerializer

from ...apis.answers import errors
from ...apis.common import ProviderEndpoint, WebhookApi, signed_by
from . import GATEWAY
from .answers import StripeCheckoutSessionOutput
from .checkout import stripe_checkout_start


class CheckoutSessionApi(ProviderEndpoint):
    provider_name = GATEWAY.name

    class InputSerializer(Input):
        shipping_address = AddressSerializer(required=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: StripeCheckoutSessionOutput,
            **errors(
                {
                    400: "Empty cart, out of stock, bad address",
                    502: "Stripe could not be reached; nothing changed",
                }
            ),
        },
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guest_contact_take(request)
        opened = stripe_checkout_start(
            user=request.user, shipping_address=data.validated_data.get("shipping_address")
        )
        session = {
            "clientSecret": opened.provider_order.client_secret,
            "orderId": opened.payment.order_id,
            "sessionId": opened.provider_order.provider_order_id,
        }
        return Response(StripeCheckoutSessionOutput(session).data, status=status.HTTP_201_CREATED)


@signed_by("Stripe-Signature")
class StripeWebhookApi(WebhookApi):
    provider_name = GATEWAY.name
