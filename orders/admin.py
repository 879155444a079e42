from django.contrib import admin

from payments.admin_actions import StaffRefundActions, run_per_row
from payments.services.staff_refunds import order_refund_by_staff

from .models import Order, OrderItem, OrderStatus, OrderStatusChange, Product, ProductVariant
from .services import order_advance


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "variants__sku"]
    inlines = [ProductVariantInline]


@admin.register(ProductVariant)
class ProductVariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "product", "name", "price", "stock"]
    list_filter = ["product"]
    search_fields = ["sku", "name", "product__name"]


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
class OrderAdmin(StaffRefundActions, admin.ModelAdmin):
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
        "refund_in_full",
        "refund_part",
    ]
    readonly_fields = [
        "order_number", "user", "status", "payment_status", "currency", "subtotal",
        "discount_total", "total", "coupon_code", "paid_at", "is_locked", "created_at",
        "updated_at", "refunds_made",
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

    def staff_refund(self, order, *, staff, reason, amount=None):
        return order_refund_by_staff(order_id=order.pk, staff=staff, reason=reason, amount=amount)

    def payment_lookup(self, order):
        return {"order": order}
