"""Payment links in admin: staff taking a booking or an order by phone fill in the
customer and what they buy; the link is made by the same service as the API (outside any
transaction: Razorpay is called), and its short URL is shown to copy or read out."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_protect

from catalog.models import ProductVariant, PujaPackage
from config.admin import REFUSALS, run_per_row

from .links import payment_link_cancel, payment_link_create
from .models import PaymentLink

ITEM_ROWS = 3


class PaymentLinkForm(forms.Form):
    email = forms.EmailField(help_text="An existing customer's, or a new account is made.")
    name = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(max_length=20, required=False, help_text="Razorpay texts the link.")
    package = forms.ModelChoiceField(
        PujaPackage.objects.select_related("service").filter(service__is_active=True),
        required=False,
        help_text="A booking: the puja package, with its date and time below.",
    )
    selected_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    selected_time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    coupon_code = forms.CharField(max_length=50, required=False)
    expires_in_hours = forms.IntegerField(
        min_value=1, max_value=180 * 24, required=False, help_text="Default: one day."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        variants = ProductVariant.objects.select_related("product").filter(product__is_active=True)
        for row in range(ITEM_ROWS):
            self.fields[f"variant_{row}"] = forms.ModelChoiceField(
                variants, required=False, label=f"Product {row + 1}"
            )
            self.fields[f"quantity_{row}"] = forms.IntegerField(
                min_value=1, max_value=1000, required=False, label=f"Quantity {row + 1}"
            )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        booking = items = None
        if data.get("package"):
            if not (data.get("selected_date") and data.get("selected_time")):
                raise forms.ValidationError("A booking needs its date and time.")
            package = data["package"]
            booking = {
                "puja_service": package.service_id,
                "package": package.pk,
                "selected_date": data["selected_date"],
                "selected_time": data["selected_time"],
            }
        items = [
            {
                "product_id": data[f"variant_{row}"].product_id,
                "variant_id": data[f"variant_{row}"].pk,
                "quantity": data.get(f"quantity_{row}") or 1,
            }
            for row in range(ITEM_ROWS)
            if data.get(f"variant_{row}")
        ]
        if bool(booking) == bool(items):
            raise forms.ValidationError("Choose either a booking or products, not both.")
        data["booking"], data["items"] = booking, items or None
        return data


@admin.register(PaymentLink)
class PaymentLinkAdmin(admin.ModelAdmin):
    list_display = [
        "created_at", "__str__", "customer", "amount", "link_status", "copyable_url",
        "expires_at", "created_by",
    ]  # fmt: skip
    list_select_related = ["payment__user", "created_by"]
    search_fields = ["payment__provider_order_id", "payment__user__email", "payment__id"]
    readonly_fields = [
        "payment", "customer", "amount", "link_status", "copyable_url", "expires_at",
        "created_by", "created_at", "cancelled_at", "cancelled_by",
    ]  # fmt: skip
    fields = tuple(readonly_fields)
    actions = ["cancel"]

    @admin.display(description="customer")
    def customer(self, link):
        return link.payment.user.email

    @admin.display(description="amount")
    def amount(self, link):
        return f"{link.payment.amount} {link.payment.currency}"

    @admin.display(description="status")
    def link_status(self, link):
        return link.status

    @admin.display(description="short URL")
    def copyable_url(self, link):
        if not link.short_url:
            return "—"
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener">{0}</a> '
            '<button type="button" onclick="navigator.clipboard.writeText(\'{0}\')">Copy</button>',
            link.short_url,
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @method_decorator(csrf_protect)
    def add_view(self, request, form_url="", extra_context=None):
        """Not admin's own add view: that runs in a transaction, and the link is made
        with a call to Razorpay, which must not hold one open."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PaymentLinkForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                link = payment_link_create(
                    staff=request.user,
                    customer={"email": data["email"], "name": data["name"], "phone": data["phone"]},
                    booking=data["booking"],
                    items=data["items"],
                    coupon_code=data["coupon_code"],
                    expires_in=(data["expires_in_hours"] or 0) * 3600 or None,
                    callback_url=request.build_absolute_uri(reverse("payment-link-callback")),
                )
            except REFUSALS as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"Payment link {link} made: {link.short_url}")
                return HttpResponseRedirect(
                    reverse("admin:payments_paymentlink_change", args=[link.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "New payment link",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/paymentlink_add.html", context)

    @admin.action(
        description="Cancel these links (at Razorpay; their holds end)", permissions=["change"]
    )
    def cancel(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda link: payment_link_cancel(payment_id=link.pk, staff=request.user),
            done="link(s) cancelled",
        )
