from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Booking, PujaPackage, PujaService


class PackageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PujaPackage
        fields = ["id", "name", "price", "duration_minutes"]


class ServiceOutputSerializer(serializers.ModelSerializer):
    packages = PackageOutputSerializer(many=True, read_only=True)

    class Meta:
        model = PujaService
        fields = ["id", "name", "description", "packages"]


class BookingOutputSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="puja_service.name", read_only=True)
    package_name = serializers.CharField(source="package.name", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id", "book_id", "puja_service", "service", "package", "package_name",
            "selected_date", "selected_time", "status", "total_amount", "created_at",
        ]  # fmt: skip


def _services():
    return PujaService.objects.filter(is_active=True).prefetch_related("packages")


def _bookings(user):
    return Booking.objects.filter(user=user).select_related("puja_service", "package")


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
