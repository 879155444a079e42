from django.contrib import admin

from config.admin import run_per_row

from .models import Order, OrderItem, OrderStatus, OrderStatusChange
from .services import order_advance


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ["product_name", "variant_name", "unit_price", "quantity", "product", "variant"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    fields = ["created_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """An order's money and status change only through services (payments adds its refund
    actions: payments/refund_admin.py)."""

    list_display = [
        "order_number", "user", "status", "payment_status", "total", "currency", "is_locked",
        "created_at",
    ]  # fmt: skip
    list_filter = ["status", "payment_status", "is_locked", "created_at"]
    search_fields = ["order_number", "user__email"]
    date_hierarchy = "created_at"
    inlines = [OrderItemInline, OrderStatusChangeInline]
    actions = [
        "mark_awaiting_shipment",
        "mark_shipped",
        "mark_delivered",
    ]
    readonly_fields = [
        "order_number", "user", "status", "payment_status", "currency", "subtotal",
        "discount_total", "total", "coupon_code", "paid_at", "is_locked", "created_at",
        "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # orders come from checkout only

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return [*self.readonly_fields, "shipping_address", "billing_address"]
        return self.readonly_fields

    def _advance(self, request, queryset, to_status: str) -> None:
        run_per_row(
            self,
            request,
            queryset,
            lambda order: order_advance(
                order_id=order.pk, to_status=to_status, changed_by=request.user
            ),
            done=f"order(s) moved to {to_status}",
        )

    @admin.action(description="Mark as awaiting shipment", permissions=["change"])
    def mark_awaiting_shipment(self, request, queryset):
        self._advance(request, queryset, OrderStatus.AWAITING_SHIPMENT)

    @admin.action(description="Mark as shipped", permissions=["change"])
    def mark_shipped(self, request, queryset):
        self._advance(request, queryset, OrderStatus.SHIPPED)

    @admin.action(description="Mark as delivered", permissions=["change"])
    def mark_delivered(self, request, queryset):
        self._advance(request, queryset, OrderStatus.DELIVERED)
