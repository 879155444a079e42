from django.contrib import admin

from .models import Erasure


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """Each erasure: when, on whose word, what was kept and why; no personal data."""

    list_display = ["id", "person_id", "asked_by", "status", "created_at", "done_at"]
    list_filter = ["status"]
    search_fields = ["=person_id", "=id"]
    readonly_fields = [field.name for field in Erasure._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
