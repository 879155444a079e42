from django.contrib import admin

from payments.admin_actions import StaffRefundActions
from payments.services.staff_refunds import booking_refund_by_staff

from .models import Booking, PujaPackage, PujaService


class PujaPackageInline(admin.TabularInline):
    model = PujaPackage
    extra = 0


@admin.register(PujaService)
class PujaServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [PujaPackageInline]


@admin.register(PujaPackage)
class PujaPackageAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "price", "duration_minutes"]
    list_filter = ["service"]
    search_fields = ["name", "service__name"]


@admin.register(Booking)
class BookingAdmin(StaffRefundActions, admin.ModelAdmin):
    list_display = [
        "book_id", "user", "puja_service", "package", "selected_date", "selected_time", "status",
        "total_amount", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "puja_service", "selected_date"]
    search_fields = ["book_id", "user__email"]
    date_hierarchy = "selected_date"
    readonly_fields = ["book_id", "user", "payment", "total_amount", "created_at", "refunds_made"]
    raw_id_fields = ["puja_service", "package"]

    actions = StaffRefundActions.refund_actions

    def has_add_permission(self, request):
        return False  # bookings come from paid booking carts only

    def staff_refund(self, booking, *, staff, reason, amount=None):
        return booking_refund_by_staff(
            booking_id=booking.pk, staff=staff, reason=reason, amount=amount
        )

    def payment_lookup(self, booking):
        return {"bookings": booking}
