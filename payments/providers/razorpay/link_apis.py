"""Payment links over the API: staff (a token whose user holds the model permission) make,
list and cancel links; the customer's browser comes back through the signed callback."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.permissions import needs_permission
from config.serializers import IdField, Input, SlotTimeField, WholeNumberField
from idempotency.apis import idempotent

from ...apis.answers import errors
from ...models import PaymentStatus
from ...money import to_minor
from .answers import PaymentLinkOutput
from .apis import RazorpayEndpoint
from .links import payment_link_cancel, payment_link_create, payment_link_returned
from .models import PaymentLink


def link_answer(link: PaymentLink) -> dict:
    payment = link.payment
    return PaymentLinkOutput(
        {
            "payment_id": payment.pk,
            "link_id": link.link_id,
            "short_url": link.short_url,
            "status": link.status,
            "expires_at": link.expires_at,
            "amount": to_minor(payment.amount),
            "amount_decimal": str(payment.amount),
            "customer_email": payment.user.email,
            "created_at": link.created_at,
        }
    ).data


class CustomerInput(Input):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=150, required=False, default="")
    phone = serializers.CharField(max_length=20, required=False, default="")


class BookingInput(Input):
    puja_service = IdField()
    package = IdField()
    selected_date = serializers.DateField()
    selected_time = SlotTimeField()


class ItemInput(Input):
    product_id = IdField()
    variant_id = IdField(required=False)
    quantity = WholeNumberField(min_value=1, max_value=1000)


class PaymentLinksApi(RazorpayEndpoint):
    class InputSerializer(Input):
        customer = CustomerInput()
        booking = BookingInput(required=False)
        items = ItemInput(many=True, required=False)
        coupon_code = serializers.CharField(max_length=50, required=False, default="")
        expires_in = WholeNumberField(
            required=False, min_value=1, help_text="seconds; default PAYMENT_LINK_TTL_SECONDS"
        )

    def get_permissions(self):
        codename = (
            "payments.add_paymentlink"
            if self.request.method == "POST"
            else "payments.view_paymentlink"
        )
        return [IsAuthenticated(), needs_permission(codename)()]

    @extend_schema(
        operation_id="payment_links_list",
        responses={
            200: PaymentLinkOutput(many=True),
            **errors({403: "Not staff with view_paymentlink"}),
        },
    )
    def get(self, request):
        links = PaymentLink.objects.select_related("payment__user")[:200]
        return Response([link_answer(link) for link in links])

    @extend_schema(
        request=InputSerializer,
        responses={
            201: PaymentLinkOutput,
            **errors(
                {
                    400: "Bad customer, booking or items; slot taken; out of stock; bad coupon",
                    403: "Not staff with add_paymentlink",
                    409: "What the link sells is held by another checkout",
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
        link = payment_link_create(
            staff=request.user,
            customer=values["customer"],
            booking=values.get("booking"),
            items=values.get("items"),
            coupon_code=values["coupon_code"],
            expires_in=values.get("expires_in"),
            callback_url=request.build_absolute_uri(reverse("payment-link-callback")),
        )
        return Response(link_answer(link), status=status.HTTP_201_CREATED)


class PaymentLinkCancelApi(RazorpayEndpoint):
    permission_classes = [IsAuthenticated, needs_permission("payments.change_paymentlink")]

    @extend_schema(
        request=None,
        responses={
            200: PaymentLinkOutput,
            **errors(
                {
                    403: "Not staff with change_paymentlink",
                    404: "Payment link not found",
                    409: "Paid, expired or cancelled already",
                    502: "Razorpay could not be reached",
                }
            ),
        },
    )
    def post(self, request, payment_id):
        return Response(link_answer(payment_link_cancel(payment_id=payment_id, staff=request.user)))


CALLBACK_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, required=False)
    for name in (
        "razorpay_payment_id",
        "razorpay_payment_link_id",
        "razorpay_payment_link_reference_id",
        "razorpay_payment_link_status",
        "razorpay_signature",
    )
]


class PaymentLinkCallbackApi(RazorpayEndpoint):
    """Where Razorpay sends the customer's browser after paying a link."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        parameters=CALLBACK_PARAMETERS,
        responses={
            302: OpenApiResponse(description="To the frontend's confirmation or failure page")
        },
    )
    def get(self, request):
        query = request.query_params
        returned = payment_link_returned(
            link_id=query.get("razorpay_payment_link_id", "")[:100],
            reference=query.get("razorpay_payment_link_reference_id", "")[:100],
            status=query.get("razorpay_payment_link_status", "")[:20],
            provider_payment_id=query.get("razorpay_payment_id", "")[:100],
            signature=query.get("razorpay_signature", "")[:256],
        )
        payment = returned.payment
        frontend = settings.FRONTEND_BASE_URL
        if (
            payment is None
            or payment.needs_attention
            or payment.status
            not in (
                PaymentStatus.SUCCESS,
                PaymentStatus.INITIATED,
                PaymentStatus.PENDING,
            )
        ):
            return HttpResponseRedirect(f"{frontend}/failedbooking")
        if payment.order_id:
            return HttpResponseRedirect(f"{frontend}/order-success/{payment.order_id}")
        return HttpResponseRedirect(
            f"{frontend}/confirmbooking?{urlencode({'payment_id': str(payment.pk)})}"
        )
