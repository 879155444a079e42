from django.contrib import admin

from .models import WaitlistEntry


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    """Who waits for which full slot, and what became of their offers. Read-only: the
    devotee joins and leaves, the sweep offers."""

    list_display = ["pk", "slot", "status", "offer_expires_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["slot__puja_service"]
    search_fields = ["slot__puja_service__name"]
    readonly_fields = [field.name for field in WaitlistEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
