from django import forms
from django.contrib import admin, messages

from config.admin import ask_then_act, run_per_row

from .models import Booking
from .services import booking_mark_completed, booking_reschedule


class RescheduleForm(forms.Form):
    selected_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    selected_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """A booking's money, status and slot change only through services that keep the
    ledger: it is moved by the reschedule action (the slot's lock and capacity), cancelled
    by a full refund, never edited."""

    list_display = [
        "book_id", "user", "puja_service", "package", "selected_date", "selected_time", "status",
        "total_amount", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "puja_service", "selected_date"]
    search_fields = ["book_id", "user__email"]
    date_hierarchy = "selected_date"
    readonly_fields = [
        "book_id", "user", "puja_service", "package", "selected_date", "selected_time", "status",
        "total_amount", "payment", "confirmation_sent_at", "created_at",
    ]  # fmt: skip

    actions = ["reschedule", "mark_completed"]  # payments adds its refunds

    def has_add_permission(self, request):
        return False  # bookings come from paid booking carts only

    @admin.action(
        description="Move to another date and time (the slot's capacity is checked)…",
        permissions=["change"],
    )
    def reschedule(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one booking.", level=messages.ERROR)
            return None
        return ask_then_act(
            self,
            request,
            queryset,
            form_class=RescheduleForm,
            action="reschedule",
            title="Move the booking",
            rows=[{"subject": booking} for booking in queryset],
            act=lambda booking, data: booking_reschedule(
                booking_id=booking.pk, changed_by=request.user, **data
            ),
            done="booking(s) moved",
        )

    @admin.action(description="Mark as completed (the puja took place)", permissions=["change"])
    def mark_completed(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda booking: booking_mark_completed(booking_id=booking.pk),
            done="booking(s) completed",
        )
