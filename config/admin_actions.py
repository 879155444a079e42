"""Admin actions that call one service per selected row and report each refusal."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
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
