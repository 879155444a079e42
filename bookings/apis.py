from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import PujaPackage, PujaService
from config.serializers import Input
from holds.selectors import free_again_at

from .models import Booking
from .selectors import day_use
from .serializers import BookingOutputSerializer


class PackageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PujaPackage
        fields = [
            "id", "name", "price", "duration_minutes", "cancel_until_hours", "cancel_fee_percent",
        ]  # fmt: skip


class ServiceOutputSerializer(serializers.ModelSerializer):
    packages = PackageOutputSerializer(many=True, read_only=True)

    class Meta:
        model = PujaService
        fields = ["id", "name", "description", "packages", "slot_capacity"]


class SlotUseOutputSerializer(serializers.Serializer):
    time = serializers.TimeField(format="%H:%M")
    booked = serializers.IntegerField(help_text="confirmed bookings")
    held = serializers.IntegerField(help_text="places held by checkouts under way")
    capacity_left = serializers.IntegerField()
    held_until = serializers.DateTimeField(
        allow_null=True, help_text="when the first held place is free again, if any is held"
    )


class AvailabilityOutputSerializer(serializers.Serializer):
    service_id = serializers.IntegerField()
    date = serializers.DateField()
    slot_capacity = serializers.IntegerField()
    slots = SlotUseOutputSerializer(
        many=True, help_text="only the times something is booked or held at; all others are free"
    )


def _services():
    return PujaService.objects.filter(is_active=True).prefetch_related("packages")


def _bookings(user):
    return (
        Booking.objects.filter(user=user)
        .with_dispute_status()
        .select_related("puja_service", "package")
    )


class ServiceListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="booking_services_list", responses=ServiceOutputSerializer(many=True)
    )
    def get(self, request):
        return Response(ServiceOutputSerializer(_services(), many=True).data)


class ServiceDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ServiceOutputSerializer)
    def get(self, request, pk: int):
        return Response(ServiceOutputSerializer(get_object_or_404(_services(), pk=pk)).data)


class ServiceAvailabilityApi(APIView):
    """One day of a service: each time that has bookings or holds, with what is left."""

    permission_classes = [AllowAny]

    class InputSerializer(Input):
        date = serializers.DateField(help_text="YYYY-MM-DD")

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=True)],
        responses=AvailabilityOutputSerializer,
    )
    def get(self, request, pk: int):
        service = get_object_or_404(_services(), pk=pk)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data["date"]
        slots = [
            {
                "time": at,
                "booked": use.booked,
                "held": use.held,
                "capacity_left": use.left,
                "held_until": free_again_at(slot_id=use.slot_id, need=1) if use.held else None,
            }
            for at, use in day_use(puja_service=service, day=day).items()
        ]
        answer = {
            "service_id": service.pk,
            "date": day,
            "slot_capacity": service.slot_capacity,
            "slots": slots,
        }
        return Response(AvailabilityOutputSerializer(answer).data)


class BookingListApi(APIView):
    @extend_schema(
        operation_id="booking_bookings_list", responses=BookingOutputSerializer(many=True)
    )
    def get(self, request):
        return Response(BookingOutputSerializer(_bookings(request.user), many=True).data)


class BookingDetailApi(APIView):
    @extend_schema(responses=BookingOutputSerializer)
    def get(self, request, pk: int):
        booking = get_object_or_404(_bookings(request.user), pk=pk)
        return Response(BookingOutputSerializer(booking).data)
