"""The manage link's endpoints: whoever holds the link sees, cancels and downloads that one
purchase, without an account."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.throttles import TokenLookupThrottle
from bookings.models import Booking
from bookings.serializers import BookingOutputSerializer
from config.serializers import Input
from invoices.apis import DocumentApi
from orders.serializers import OrderOutputSerializer
from payments.apis.booking_cancel import (
    BookingCancelledOutputSerializer,
    CancelQuoteOutputSerializer,
)
from payments.services.devotee_cancel import booking_cancel_by_owner
from payments.services.order_first import order_cancel_by_shopper

from .claims import email_claim_confirm, email_claim_start
from .selectors import (
    MANAGED_KINDS,
    cancel_quote_of,
    document_of,
    documents_of,
    purchase_by_manage_token,
)
from .services import manage_links_request


class ManageQuoteOutput(CancelQuoteOutputSerializer):
    until = serializers.DateTimeField(
        allow_null=True, help_text="a booking's last moment to cancel; null for an order"
    )


class ManagedDocumentOutput(serializers.Serializer):
    number = serializers.CharField()
    type = serializers.CharField(source="kind")
    url = serializers.CharField(help_text="JSON, or the PDF with ?format=pdf")


class ManagedOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MANAGED_KINDS)
    order = OrderOutputSerializer(required=False)
    booking = BookingOutputSerializer(required=False)
    documents = ManagedDocumentOutput(many=True)
    cancel = ManageQuoteOutput()


class ManageEndpoint(APIView):
    """Anyone holding a link; lookups limited per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenLookupThrottle]


def _document_url(token: str, document) -> str:
    if document.corrects_id is None:
        return f"/api/manage/{token}/invoice/"
    return f"/api/manage/{token}/credit-notes/{document.pk}/"


class ManageApi(ManageEndpoint):
    @extend_schema(responses=ManagedOutput)
    def get(self, request, token: str):
        purchase = purchase_by_manage_token(token)
        kind = "booking" if isinstance(purchase, Booking) else "order"
        documents = [
            {"number": d.number, "kind": d.kind, "url": _document_url(token, d)}
            for d in documents_of(purchase)
        ]
        answer = {
            "kind": kind,
            kind: purchase,
            "documents": documents,
            "cancel": cancel_quote_of(purchase),
        }
        return Response(ManagedOutput(answer).data)


class ManageCancelApi(ManageEndpoint):
    @extend_schema(
        request=None,
        responses=PolymorphicProxySerializer(
            component_name="ManagedCancelled",
            serializers=[BookingCancelledOutputSerializer, OrderOutputSerializer],
            resource_type_field_name=None,
        ),
    )
    def post(self, request, token: str):
        purchase = purchase_by_manage_token(token)
        if isinstance(purchase, Booking):
            cancelled = booking_cancel_by_owner(user=purchase.user, booking_id=purchase.pk)
            return Response(BookingCancelledOutputSerializer(cancelled).data)
        order = order_cancel_by_shopper(user=purchase.user, order_id=purchase.pk)
        return Response(OrderOutputSerializer(order).data)


class ManageDocumentApi(DocumentApi, ManageEndpoint):
    """The purchase's invoice (or bill of supply), JSON or PDF as the invoice endpoints."""

    def document(self, request, **lookup):
        purchase = purchase_by_manage_token(lookup["token"])
        return document_of(purchase, credit_note_id=lookup.get("credit_note_id"))


class ManageLinksApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenLookupThrottle]

    class InputSerializer(Input):
        email = serializers.EmailField()

    @extend_schema(request=InputSerializer, responses={202: None})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        manage_links_request(email=data.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class EmailClaimApi(APIView):
    """A signed-in user asks for a code at their account's email (to take the guest orders
    and bookings made with it)."""

    @extend_schema(request=None, responses={202: None})
    def post(self, request):
        email_claim_start(user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class ClaimedOutput(serializers.Serializer):
    claimed = serializers.IntegerField(help_text="guest orders and bookings now the account's")


class EmailClaimConfirmApi(APIView):
    class InputSerializer(Input):
        code = serializers.RegexField(r"^\s*[0-9]{6}\s*$", help_text="the 6 digits mailed")

    @extend_schema(request=InputSerializer, responses=ClaimedOutput)
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claimed = email_claim_confirm(user=request.user, code=data.validated_data["code"])
        return Response(ClaimedOutput({"claimed": claimed}).data)
