"""Admin actions that call one service per selected row and report each refusal."""

from decimal import Decimal, InvalidOperation

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from payments.services.refunds import RefundRefused, refundable_left


def run_per_row(modeladmin, request, queryset, service, *, refusals, done: str) -> None:
    succeeded = 0
    for obj in queryset:
        try:
            service(obj)
            succeeded += 1
        except refusals as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", level=messages.ERROR)
    if succeeded:
        modeladmin.message_user(request, f"{succeeded} {done}.", level=messages.SUCCESS)


def ask_amount_then(modeladmin, request, queryset, *, action: str, payment_of, refund) -> object:
    """An action with an intermediate page asking how much to refund (one row at a time)."""
    if queryset.count() != 1:
        modeladmin.message_user(request, "Choose exactly one row.", level=messages.ERROR)
        return None
    obj = queryset.get()
    if "apply" in request.POST:
        try:
            refund(obj, Decimal(request.POST.get("amount", "")))
        except (InvalidOperation, RefundRefused) as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", level=messages.ERROR)
        else:
            modeladmin.message_user(request, f"{obj}: refund requested.", level=messages.SUCCESS)
        return None
    payment = payment_of(obj)
    if payment is None:
        modeladmin.message_user(request, f"{obj}: nothing was paid.", level=messages.ERROR)
        return None
    return TemplateResponse(
        request,
        "admin/payments/partial_refund.html",
        {
            **modeladmin.admin_site.each_context(request),
            "subject": obj,
            "queryset": queryset,
            "action": action,
            "paid": payment.amount,
            "left": refundable_left(payment),
            "currency": payment.currency,
        },
    )


class StaffRefundActions:
    """Admin actions that refund the selected order or booking through the one refunds
    service; a model admin says how to refund one of its rows and find its payment."""

    refund_actions = ["refund_in_full", "refund_part"]

    def staff_refund(self, obj, *, staff, amount: Decimal | None = None):
        raise NotImplementedError

    def paid_payment(self, obj):
        raise NotImplementedError

    @admin.action(description="Refund in full (stock back unless shipped; slots freed)")
    def refund_in_full(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda obj: self.staff_refund(obj, staff=request.user),
            refusals=RefundRefused,
            done="refund(s) requested",
        )

    @admin.action(description="Refund part of the payment (the order or booking stands)…")
    def refund_part(self, request, queryset):
        return ask_amount_then(
            self,
            request,
            queryset,
            action="refund_part",
            payment_of=self.paid_payment,
            refund=lambda obj, amount: self.staff_refund(obj, staff=request.user, amount=amount),
        )
