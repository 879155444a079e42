from django.contrib import admin

from .models import Cart, CartItem, Coupon


class CartItemInline(admin.TabularInline):
    model = CartItem
    extra = 0
    raw_id_fields = ["variant"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = [
        "cart_id",
        "user",
        "kind",
        "status",
        "selected_date",
        "selected_time",
        "updated_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["cart_id", "user__email"]
    raw_id_fields = ["user", "puja_service", "package"]
    inlines = [CartItemInline]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "kind",
        "value",
        "is_active",
        "valid_from",
        "valid_until",
        "times_used",
        "usage_limit",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["times_used"]
