"""Settlements in admin, as the bank statement shows them (date, UTR, amount) with their
gross, refunds, disputes, adjustments, fees, GST on fees and net; each line linked to its
order or booking and filtered by flag. Staff download a month's report here, and those with
`settlements.change_settlement` pull settlements now or read one again from its provider."""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from config.admin import REFUSALS, run_per_row
from config.exceptions import Invalid

from .models import LineFlag, Settlement, SettlementLine
from .report import report_month, settlement_report_write
from .selectors import line_bought, settlements_statement
from .services import settlement_pull, settlements_reconcile

PAISE = Decimal("0.01")


def _money(value) -> Decimal:
    """As rupees and paise (SQLite's sums come back with more places)."""
    return Decimal(value).quantize(PAISE)


def _ours(line: SettlementLine) -> str:
    """Links to the order and bookings the line's money was for."""
    if line.payment is None:
        return "—"
    links = [(reverse("admin:payments_payment_change", args=[line.payment.pk]), "payment")] + [
        (reverse(f"admin:{model}_change", args=[key]), label)
        for model, key, label in line_bought(line)
        if model != "payments_payment"
    ]
    return format_html_join(" · ", '<a href="{}">{}</a>', links)


def _column(name: str, title: str):
    """A sortable list column of the settlement's statement (an annotation)."""

    def value(modeladmin, settlement):
        return _money(getattr(settlement, name))

    value.short_description = title  # type: ignore[attr-defined]
    value.admin_order_field = name  # type: ignore[attr-defined]
    return value


class LineInline(admin.TabularInline):
    model = SettlementLine
    extra = 0
    can_delete = False
    fields = ("kind", "provider_entity_id", "ours", "amount", "credit", "debit", "fee", "tax",
              "flag")  # fmt: skip
    readonly_fields = fields

    @admin.display(description="Ours")
    def ours(self, line):
        return _ours(line)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("payment__order")
            .prefetch_related("payment__bookings")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FlaggedFilter(admin.SimpleListFilter):
    title = "lines flagged"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "Some"), ("no", "None")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flagged__gt=0)
        if self.value() == "no":
            return queryset.filter(flagged=0)
        return queryset


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    list_display = (
        "settled_on", "utr", "amount", "provider", "provider_settlement_id", "status",
        "gross_", "refunds_", "disputes_", "adjustments_", "fees_", "gst_on_fees", "net_",
        "flagged_",
    )  # fmt: skip
    list_filter = ("provider", "status", FlaggedFilter)
    search_fields = ("provider_settlement_id", "utr")
    date_hierarchy = "settled_at"
    inlines = [LineInline]
    actions = ["read_again"]
    readonly_fields = (
        "provider", "provider_settlement_id", "utr", "amount", "currency", "status",
        "settled_at", "fees", "tax", "statement",
    )  # fmt: skip
    fields = readonly_fields

    gross_ = _column("gross", "gross")
    refunds_ = _column("refunds", "refunds")
    disputes_ = _column("disputes", "disputes")
    adjustments_ = _column("adjustments", "adjustments")
    fees_ = _column("line_fees", "fees (GST included)")
    gst_on_fees = _column("line_tax", "GST on fees")
    net_ = _column("net", "net of lines")
    flagged_ = _column("flagged", "lines flagged")

    def get_queryset(self, request):
        return settlements_statement()

    @admin.display(description="date", ordering="settled_at")
    def settled_on(self, settlement):
        return f"{settlement.settled_at:%Y-%m-%d}" if settlement.settled_at else "—"

    @admin.display(description="Statement")
    def statement(self, settlement):
        rows = [
            (label, _money(value))
            for label, value in (
                ("Gross (payments)", settlement.gross),
                ("Refunds", -settlement.refunds),
                ("Disputes", -settlement.disputes),
                ("Adjustments", settlement.adjustments),
                ("Fees (GST included)", -settlement.line_fees),
                ("of which GST on fees (input tax credit)", settlement.line_tax),
                ("Net of lines", settlement.net),
                ("Paid to the bank", settlement.amount),
            )
        ]
        table = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        unbalanced = "<p><strong>The lines do not add up to what the bank received.</strong></p>"
        warning = mark_safe(unbalanced) if settlement.net != settlement.amount else ""
        return format_html("<table>{}</table>{}", table, warning)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Read again from the provider", permissions=["change"])
    def read_again(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda s: settlement_pull(
                provider=s.provider, provider_settlement_id=s.provider_settlement_id
            ),
            done="settlements read again",
        )

    def get_urls(self):
        report = path(
            "report/", self.admin_site.admin_view(self.report_view),
            name="settlements_settlement_report",
        )  # fmt: skip
        pull = path(
            "pull/", self.admin_site.admin_view(self.pull_view), name="settlements_settlement_pull"
        )
        return [report, pull, *super().get_urls()]

    def report_view(self, request):
        """The month's CSV (the same as `settlement_report --month`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            first_day = report_month(request.GET.get("month", ""))
        except Invalid as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:settlements_settlement_changelist"))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="settlements-{first_day:%Y-%m}.csv"'
        )
        settlement_report_write(first_day, response)
        return response

    def pull_view(self, request):
        """Pull the last days from every provider now (what beat does daily)."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:settlements_settlement_changelist"))
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            summary = settlements_reconcile()
        except REFUSALS as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
        else:
            for failure in summary.failures:
                self.message_user(request, f"Not pulled: {failure}", level=messages.ERROR)
            self.message_user(
                request,
                f"{summary.lines} lines of {len(summary.settlements)} settlements pulled "
                f"({summary.days[0]}…{summary.days[-1]}).",
                level=messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:settlements_settlement_changelist"))


@admin.register(SettlementLine)
class SettlementLineAdmin(admin.ModelAdmin):
    list_display = ("provider_entity_id", "kind", "flag_", "ours", "amount", "credit", "debit",
                    "fee", "tax", "settlement", "settled_at")  # fmt: skip
    list_filter = ("flag", "kind", "provider", "on_hold")
    search_fields = ("provider_entity_id", "provider_settlement_id")
    list_select_related = ("settlement", "payment__order")
    readonly_fields = [f.name for f in SettlementLine._meta.fields] + ["ours"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("payment__bookings")

    @admin.display(description="flag", ordering="flag")
    def flag_(self, line):
        return line.get_flag_display() if line.flag != LineFlag.NONE else "—"

    @admin.display(description="Ours")
    def ours(self, line):
        return _ours(line)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
