from django.contrib import admin

from config.admin_actions import ask_amount_then, run_per_row
from payments.services.refunds import RefundRefused
from payments.services.staff_refunds import booking_refund_by_staff, paid_payment_of

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
class BookingAdmin(admin.ModelAdmin):
    list_display = [
        "book_id", "user", "puja_service", "package", "selected_date", "selected_time", "status",
        "total_amount", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "puja_service", "selected_date"]
    search_fields = ["book_id", "user__email"]
    date_hierarchy = "selected_date"
    readonly_fields = ["book_id", "user", "payment", "total_amount", "created_at"]
    raw_id_fields = ["puja_service", "package"]

    actions = ["refund_in_full", "refund_part"]

    def has_add_permission(self, request):
        return False  # bookings come from paid booking carts only

    @admin.action(description="Refund in full and cancel (frees the slot)")
    def refund_in_full(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda booking: booking_refund_by_staff(booking_id=booking.pk, staff=request.user),
            refusals=RefundRefused,
            done="refund(s) requested",
        )

    @admin.action(description="Refund part of the payment (the booking stands)…")
    def refund_part(self, request, queryset):
        return ask_amount_then(
            self,
            request,
            queryset,
            action="refund_part",
            payment_of=lambda booking: paid_payment_of(bookings=booking),
            refund=lambda booking, amount: booking_refund_by_staff(
                booking_id=booking.pk, staff=request.user, amount=amount
            ),
        )
