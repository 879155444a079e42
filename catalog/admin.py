from django.contrib import admin

from .models import Product, ProductVariant, PujaPackage, PujaService


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


class PujaPackageInline(admin.TabularInline):
    model = PujaPackage
    extra = 0


@admin.register(PujaService)
class PujaServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [PujaPackageInline]


@admin.register(PujaPackage)
class PujaPackageAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "price", "duration_minutes"]
    list_filter = ["service"]
    search_fields = ["name", "service__name"]
