from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ApiError
from config.serializers import Input, local_iso
from orders.serializers import AddressSerializer

from ..gateways.registry import require_enabled
from ..models import Payment
from ..money import SUPPORTED_CURRENCIES
from ..services.fulfilment import Fulfilment
from ..services.webhooks import WebhookOutcome, webhook_receive


class CartCheckoutInputSerializer(Input):
    cart_id = serializers.CharField(
        required=False, max_length=64, help_text="numeric id or cart_id; default the shop cart"
    )
    shipping_address = AddressSerializer()
    billing_address = AddressSerializer()
    currency = serializers.ChoiceField(choices=SUPPORTED_CURRENCIES, default="INR")
    coupon_code = serializers.CharField(required=False, max_length=50)


class ProviderEndpoint(APIView):
    """An endpoint of one provider: 404 for everyone while that provider is switched off."""

    provider_name = ""

    def initial(self, request, *args, **kwargs):
        require_enabled(self.provider_name)
        super().initial(request, *args, **kwargs)


def refund_state(payment: Payment) -> dict | None:
    """The latest refund of a payment, as status endpoints show it."""
    refund = payment.refunds.order_by("-created_at").first()
    if refund is None:
        return None
    return {
        "id": str(refund.pk),
        "status": refund.status,
        "amount": str(refund.amount),
        "created_at": local_iso(refund.created_at),
    }


def fulfilment_response(result: Fulfilment, *, status_text: str) -> Response:
    """200 with what was built, or 409 when the money arrived but is flagged for refund."""
    payment = result.payment
    if result.needs_attention:
        return Response(
            {
                "error": f"Payment received but the order could not be completed: "
                f"{payment.attention_reason} It will be refunded.",
                "needs_attention": True,
                "refunded": payment.refunds.filter(automatic=True).exists(),
                "payment_id": str(payment.pk),
            },
            status=status.HTTP_409_CONFLICT,
        )
    return Response(
        {
            "status": status_text,
            "order_created": True,
            "order_id": result.order.pk if result.order else None,
            "order_number": result.order.order_number if result.order else None,
            "booking_ids": result.booking_ids,
            "payment_id": str(payment.pk),
        }
    )


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
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Acknowledged: {received, already_processed, usable}",
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Unsigned, wrongly signed or malformed"
            ),
        },
    )
    def post(self, request):
        # Refused before the body is read: a log is no place for anyone's megabytes.
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.WEBHOOK_MAX_BODY_BYTES:
            raise ApiError("The webhook body is too large.", status_code=413)
        outcome = webhook_receive(
            provider_name=self.provider_name, body=request.body, headers=request.headers
        )
        return Response(
            {
                "received": True,
                "already_processed": outcome == WebhookOutcome.REPEATED,
                "usable": outcome != WebhookOutcome.UNUSABLE,
            },
            status=status.HTTP_200_OK,
        )
