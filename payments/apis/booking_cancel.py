from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking
from bookings.selectors import booking_cancel_quote
from bookings.serializers import BookingOutputSerializer
from config.exceptions import Missing

from ..services.devotee_cancel import booking_cancel_by_owner


class CancelQuoteOutputSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    until = serializers.DateTimeField(help_text="the last moment the devotee may cancel")
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="kept by the shop")
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField(required=False, help_text="why not, when not allowed")

    def to_representation(self, quote) -> dict:
        data = super().to_representation(quote)
        return data if data["reason"] else {k: v for k, v in data.items() if k != "reason"}


class CancelRefundOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField()


class BookingCancelledOutputSerializer(serializers.Serializer):
    booking = BookingOutputSerializer()
    refund = CancelRefundOutputSerializer(allow_null=True)


class BookingCancelApi(APIView):
    """The owner's quote for cancelling a booking, and the cancellation itself within the
    terms fixed when it was paid."""

    @extend_schema(responses=CancelQuoteOutputSerializer)
    def get(self, request, pk: int):
        booking = Booking.objects.filter(pk=pk, user=request.user).first()
        if booking is None:
            raise Missing("Booking not found.")
        return Response(CancelQuoteOutputSerializer(booking_cancel_quote(booking)).data)

    @extend_schema(request=None, responses=BookingCancelledOutputSerializer)
    def post(self, request, pk: int):
        cancelled = booking_cancel_by_owner(user=request.user, booking_id=pk)
        return Response(BookingCancelledOutputSerializer(cancelled).data)
