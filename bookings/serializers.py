from rest_framework import serializers

from .models import Booking


class BookingOutputSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="puja_service.name", read_only=True)
    package_name = serializers.CharField(source="package.name", read_only=True)
    dispute_status = serializers.CharField(
        max_length=16, allow_null=True, required=False,
        help_text="its payment's dispute (OPEN, WON, LOST…); null: none",
    )  # fmt: skip

    class Meta:
        model = Booking
        fields = [
            "id", "book_id", "puja_service", "service", "package", "package_name",
            "selected_date", "selected_time", "status", "total_amount", "created_at",
            "dispute_status",
        ]  # fmt: skip
