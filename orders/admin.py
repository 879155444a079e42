from django.contrib import admin

from .models import Order, OrderItem, OrderStatusChange, Product, ProductVariant


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
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "order_number", "user", "status", "payment_status", "total", "currency", "is_locked",
        "created_at",
    ]  # fmt: skip
    list_filter = ["status", "payment_status", "is_locked", "created_at"]
    search_fields = ["order_number", "user__email"]
    date_hierarchy = "created_at"
    inlines = [OrderItemInline, OrderStatusChangeInline]
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
