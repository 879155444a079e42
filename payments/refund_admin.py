"""Refunds from the order and booking admin. Each action calls the one refunds service per
selected row, needs the `change` permission of what it touches, and reports every refusal.
It first shows a page asking why (and, for part of a payment, how much); the reason is
recorded with who asked. Orders and bookings sit below payments, so payments extends their
admin with these actions (registered again) rather than them importing payments."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from bookings.admin import BookingAdmin
from bookings.models import Booking
from config.admin import ReasonForm, ask_then_act
from orders.admin import OrderAdmin
from orders.models import Order

from .models import Refund
from .services.money_back import returnable_left
from .services.staff_refunds import (
    booking_refund_by_staff,
    order_refund_by_staff,
    paid_payment_of,
)


class PartialRefundForm(ReasonForm):
    # Parsed here; the refunds service decides what it may be (whole paise, at most what
    # is left), so the rule lives once.
    amount = forms.DecimalField(help_text="In rupees, at most what is left.")


def refunds_table(refunds) -> str:
    """Refunds as staff read them on an order or booking: who asked, why, and where the
    money is."""
    refunds = refunds.select_related("requested_by").order_by("created_at")
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                f"{refund.created_at:%Y-%m-%d %H:%M}",
                refund.amount,
                refund.currency,
                refund.status + (" (given up)" if refund.given_up_at else ""),
                refund.requested_by or "automatic",
                refund.given_up_reason or refund.reason,
            )
            for refund in refunds
        ),
    )
    if not rows:
        return "-"
    return format_html(
        "<table><tr><th>When</th><th>Amount</th><th>Status</th><th>Asked by</th><th>Why</th>"
        "</tr>{}</table>",
        rows,
    )


class StaffRefundActions:
    """Refund the selected order or booking through the one refunds service; a model
    admin says how to refund one of its rows and how its payments are found."""

    refund_actions = ["refund_in_full", "refund_part"]

    def staff_refund(self, obj, *, staff, reason: str, amount=None) -> Refund:
        raise NotImplementedError

    def payment_lookup(self, obj) -> dict:
        """How Payment.objects.filter finds this row's payments (order=…, bookings=…)."""
        raise NotImplementedError

    @admin.display(description="Refunds")
    def refunds_made(self, obj) -> str:
        return refunds_table(Refund.objects.filter(**self._prefixed(obj)))

    def _prefixed(self, obj) -> dict:
        return {f"payment__{key}": value for key, value in self.payment_lookup(obj).items()}

    def _rows(self, queryset) -> list[dict]:
        rows = []
        for obj in queryset:
            payment = paid_payment_of(**self.payment_lookup(obj))
            left = returnable_left(payment) if payment else None
            rows.append({"subject": obj, "payment": payment, "left": left})
        return rows

    @admin.action(
        description="Refund in full (stock back unless shipped; slots freed)…",
        permissions=["change"],
    )
    def refund_in_full(self, request, queryset):
        return ask_then_act(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            action="refund_in_full",
            title="Refund in full",
            rows=self._rows(queryset),
            act=lambda obj, data: self.staff_refund(obj, staff=request.user, reason=data["reason"]),
            done="refund(s) requested",
        )

    @admin.action(
        description="Refund part of the payment (the order or booking stands)…",
        permissions=["change"],
    )
    def refund_part(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one row.", level=messages.ERROR)
            return None
        return ask_then_act(
            self,
            request,
            queryset,
            form_class=PartialRefundForm,
            action="refund_part",
            title="Refund part of the payment",
            rows=self._rows(queryset),
            act=lambda obj, data: self.staff_refund(
                obj, staff=request.user, reason=data["reason"], amount=data["amount"]
            ),
            done="refund(s) requested",
        )


class OrderWithRefundsAdmin(StaffRefundActions, OrderAdmin):
    actions = [*OrderAdmin.actions, *StaffRefundActions.refund_actions]
    readonly_fields = [*OrderAdmin.readonly_fields, "refunds_made"]

    def staff_refund(self, order, *, staff, reason, amount=None):
        return order_refund_by_staff(order_id=order.pk, staff=staff, reason=reason, amount=amount)

    def payment_lookup(self, order):
        return {"order": order}


class BookingWithRefundsAdmin(StaffRefundActions, BookingAdmin):
    actions = [*BookingAdmin.actions, *StaffRefundActions.refund_actions]
    readonly_fields = [*BookingAdmin.readonly_fields, "refunds_made"]

    def staff_refund(self, booking, *, staff, reason, amount=None):
        return booking_refund_by_staff(
            booking_id=booking.pk, staff=staff, reason=reason, amount=amount
        )

    def payment_lookup(self, booking):
        return {"bookings": booking}


for model, model_admin in ((Order, OrderWithRefundsAdmin), (Booking, BookingWithRefundsAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
