from django.contrib import admin

from config.admin import ReasonForm, ask_then_act, run_per_row

from . import refund_admin  # noqa: F401  (adds refunds to the order and booking admin)
from .disputes.admin import PaymentDisputeActions
from .gateways.registry import gateway_modules
from .models import Payment, PaymentStatusChange, Refund, WebhookEvent
from .services.refund_retries import refund_give_up, refund_retry
from .webhooks import webhook_replay

# Each gateway package's own admin (Razorpay's payment links).
gateway_modules("admin")

# The admin home links to the payment-health page (payments/health_page.py).
admin.site.index_template = "admin/paycart_index.html"


class PaymentStatusChangeInline(admin.TabularInline):
    model = PaymentStatusChange
    extra = 0
    fields = ["created_at", "from_status", "to_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    fields = [
        "created_at", "provider_payment_id", "amount", "status", "reason", "requested_by",
        "retry_of", "given_up_reason", "last_error",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(PaymentDisputeActions, admin.ModelAdmin):
    inlines = [RefundInline, PaymentStatusChangeInline]
    list_display = [
        "id", "user", "provider", "status", "needs_attention", "attention_reason", "amount",
        "currency", "provider_order_id", "order", "created_at",
    ]  # fmt: skip
    list_filter = ["provider", "status", "needs_attention", "created_at"]
    search_fields = [
        "id",
        "provider_order_id",
        "provider_payment_id",
        "merchant_order_id",
        "user__email",
    ]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Payment._meta.fields]
    actions = ["record_dispute"]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "provider",
        "event_type",
        "event_id",
        "status",
        "attempts",
        "payment",
    ]
    list_filter = ["provider", "status", "signature_valid", "event_type"]
    search_fields = ["event_id", "payment__provider_order_id"]
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Replay (verified deliveries only)", permissions=["change"])
    def replay(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda event: webhook_replay(event_pk=event.pk),
            done="deliveries replayed",
        )


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = [
        "created_at", "payment", "provider_payment_id", "amount", "currency", "status",
        "automatic", "requested_by", "reason", "retry_of", "given_up_reason", "attempts",
        "last_error",
    ]  # fmt: skip
    list_filter = ["status", "automatic", "payment__provider"]
    search_fields = ["id", "provider_payment_id", "provider_refund_id", "payment__user__email"]
    readonly_fields = [f.name for f in Refund._meta.fields]
    actions = ["retry", "give_up"]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description="Retry failed refunds (a new attempt for what is still left)",
        permissions=["change"],
    )
    def retry(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda refund: refund_retry(refund_id=refund.pk, staff=request.user),
            done="refund(s) retried",
        )

    @admin.action(
        description="Give up failed refunds (the money went back another way)…",
        permissions=["change"],
    )
    def give_up(self, request, queryset):
        return ask_then_act(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            action="give_up",
            title="Give up these refunds",
            rows=[{"subject": refund} for refund in queryset],
            act=lambda refund, data: refund_give_up(
                refund_id=refund.pk, staff=request.user, reason=data["reason"]
            ),
            done="refund(s) given up",
        )
