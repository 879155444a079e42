from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.guest_apis import GUESTS_WELCOME
from config.errors import ApiError
from config.serializers import Input
from orders.serializers import AddressSerializer

from ..gateways.registry import require_enabled
from ..money import SUPPORTED_CURRENCIES
from ..services.fulfilment import Fulfilment
from ..webhooks import WebhookOutcome, webhook_receive
from .answers import FulfilledOutput, NeedsAttentionOutput, WebhookAckOutput, errors


class CartCheckoutInputSerializer(Input):
    cart_id = serializers.CharField(
        required=False, max_length=64, help_text="numeric id or cart_id; default the shop cart"
    )
    shipping_address = AddressSerializer()
    billing_address = AddressSerializer()
    currency = serializers.ChoiceField(choices=SUPPORTED_CURRENCIES, default="INR")
    coupon_code = serializers.CharField(required=False, max_length=50)


class ProviderEndpoint(APIView):
    """An endpoint of one provider: 404 for everyone while that provider is switched off.
    A guest (X-Cart-Token) may check out, verify and pay as a user does; what needs more
    (staff's payment links) says so in its permissions."""

    authentication_classes = GUESTS_WELCOME
    provider_name = ""

    def initial(self, request, *args, **kwargs):
        require_enabled(self.provider_name)
        super().initial(request, *args, **kwargs)


def fulfilment_response(result: Fulfilment, *, status_text: str) -> Response:
    """200 with what was built, or 409 when the money arrived but is flagged for refund."""
    payment = result.payment
    if result.needs_attention:
        flagged = {
            "error": f"Payment received but the order could not be completed: "
            f"{payment.attention_reason} It will be refunded.",
            "needs_attention": True,
            "refunded": payment.refunds.filter(automatic=True).exists(),
            "payment_id": payment.pk,
        }
        return Response(NeedsAttentionOutput(flagged).data, status=status.HTTP_409_CONFLICT)
    built = {
        "status": status_text,
        "order_created": True,
        "order_id": result.order.pk if result.order else None,
        "order_number": result.order.order_number if result.order else None,
        "booking_ids": result.booking_ids,
        "payment_id": payment.pk,
    }
    return Response(FulfilledOutput(built).data)


def signed_by(*headers: str):
    """A webhook view's schema names the headers that authenticate its deliveries."""
    parameters = [OpenApiParameter(name, str, OpenApiParameter.HEADER) for name in headers]
    return extend_schema_view(post=extend_schema(parameters=parameters))


class WebhookApi(ProviderEndpoint):
    """Providers post here without a token; the signature is the authentication."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        request=None,
        responses={
            200: WebhookAckOutput,
            **errors({400: "Unsigned, wrongly signed or malformed", 413: "Body too large"}),
        },
    )
    def post(self, request):
        # Refused before the body is read: a log is no place for anyone's megabytes.
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.WEBHOOK_MAX_BODY_BYTES:
            raise ApiError("The webhook body is too large.", status_code=413)
        outcome = webhook_receive(
            provider_name=self.provider_name, body=request.body, headers=request.headers
        )
        ack = {
            "received": True,
            "already_processed": outcome == WebhookOutcome.REPEATED,
            "usable": outcome != WebhookOutcome.UNUSABLE,
        }
        return Response(WebhookAckOutput(ack).data, status=status.HTTP_200_OK)
