"""Tax documents in admin: listed, searched and downloaded as PDF; never added, changed or
deleted here (the database refuses changes too)."""

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from .kept_pdfs import document_pdf_kept
from .models import TaxDocument, TaxDocumentLine


class TaxDocumentLineInline(admin.TabularInline):
    model = TaxDocumentLine
    extra = 0
    fields = readonly_fields = (
        "position", "description", "hsn_or_sac", "quantity", "gst_rate", "taxable_value", "cgst",
        "sgst", "igst", "total",
    )  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaxDocument)
class TaxDocumentAdmin(admin.ModelAdmin):
    list_display = [
        "number", "kind", "issued_at", "buyer_name", "place_of_supply", "taxable_value",
        "total", "needs_review", "pdf",
    ]  # fmt: skip
    list_filter = ["kind", "financial_year", "needs_review", "place_of_supply"]
    search_fields = ["number", "buyer__name", "buyer__gstin", "order__order_number"]
    date_hierarchy = "issued_at"
    inlines = [TaxDocumentLineInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in TaxDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="buyer")
    def buyer_name(self, document: TaxDocument) -> str:
        return document.buyer.get("name", "")

    @admin.display(description="PDF")
    def pdf(self, document: TaxDocument) -> str:
        url = reverse("admin:invoices_taxdocument_pdf", args=[document.pk])
        return format_html('<a href="{}">download</a>', url)

    def get_urls(self):
        download = self.admin_site.admin_view(self.download)
        return [
            path("<int:pk>/pdf/", download, name="invoices_taxdocument_pdf"),
            *super().get_urls(),
        ]

    def download(self, request, pk: int):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        document = get_object_or_404(TaxDocument, pk=pk)
        filename = document.number.replace("/", "-") + ".pdf"
        return HttpResponse(
            document_pdf_kept(document),
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
