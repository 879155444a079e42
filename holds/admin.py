from django.contrib import admin
from django.utils import timezone

from config.admin import run_per_row

from .models import Hold
from .services import hold_release_by_staff


class HoldState(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("lapsed", "Lapsed without payment")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(expires_at__gt=now)
        if self.value() == "lapsed":
            return queryset.filter(expires_at__lte=now)
        return queryset


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    """Who holds what until when; staff may let one go early."""

    list_display = ["who", "what", "quantity", "expires_at", "active", "payment", "cart"]
    list_filter = [HoldState]
    search_fields = ["payment__user__email", "variant__sku", "payment__id"]
    list_select_related = ["payment__user", "variant__product", "slot__puja_service", "cart__user"]
    readonly_fields = [f.name for f in Hold._meta.fields]
    actions = ["release"]

    def has_add_permission(self, request):
        return False  # holds come from checkouts only

    @admin.display(description="who")
    def who(self, hold: Hold) -> str:
        return hold.owner.email

    @admin.display(description="what")
    def what(self, hold: Hold) -> str:
        if hold.variant_id:
            return f"{hold.variant.product.name} – {hold.variant.name} ({hold.variant.sku})"
        slot = hold.slot
        return f"{slot.puja_service.name} on {slot.selected_date} at {slot.selected_time:%H:%M}"

    @admin.display(boolean=True, description="active")
    def active(self, hold: Hold) -> bool:
        return hold.expires_at > timezone.now()

    @admin.action(description="Release (let others have it now)", permissions=["delete"])
    def release(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda hold: hold_release_by_staff(hold_id=hold.pk),
            done="hold(s) released",
        )
