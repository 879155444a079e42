"""Admin actions that move money: each calls one service per selected row, needs the
`change` permission of what it touches, and reports every refusal. Refunds first show a
page asking why (and, for part of a payment, how much); the reason is recorded with who
asked."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from config.exceptions import DomainError, ProviderTrouble

from .models import Refund
from .services.refunds import refundable_left
from .services.staff_refunds import paid_payment_of

# What staff are shown instead of a 500: a service's refusal, or the provider's trouble
# (whose message is safe to show staff, not shoppers).
REFUSALS = (DomainError, ProviderTrouble)


def run_per_row(modeladmin, request, queryset, service, *, done: str) -> None:
    """`service(obj)` for every selected row; each refusal is shown with its row."""
    succeeded = 0
    for obj in queryset:
        try:
            service(obj)
            succeeded += 1
        except REFUSALS as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", level=messages.ERROR)
    if succeeded:
        modeladmin.message_user(request, f"{succeeded} {done}.", level=messages.SUCCESS)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="Recorded with your name.")


class PartialRefundForm(ReasonForm):
    # Parsed here; the refunds service decides what it may be (whole paise, at most what
    # is left), so the rule lives once.
    amount = forms.DecimalField(help_text="In rupees, at most what is left.")


def ask_then_act(
    modeladmin, request, queryset, *, form_class, action: str, title: str, rows, act, done: str
) -> TemplateResponse | None:
    """An action with an intermediate page: show the form; once it is filled in validly,
    run `act(obj, form.cleaned_data)` for every selected row (refusals reported)."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        run_per_row(
            modeladmin,
            request,
            queryset,
            lambda obj: act(obj, form.cleaned_data),
            done=done,
        )
        return None
    return TemplateResponse(
        request,
        "admin/payments/ask_then_act.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "rows": rows,
            "money": any("payment" in row for row in rows),
            "queryset": queryset,
            "action": action,
        },
    )


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
            left = refundable_left(payment) if payment else None
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
