"""Disputes in admin, soonest deadline first (overdue marked). Staff with
`payments.change_dispute` accept or contest them (at the provider where it has a dispute
API), record a hand-kept provider's outcome, and settle a lost one whose order or booking
was still to come. Every action goes through payments/disputes/services.py and shows its
refusals (and the provider's trouble) to staff, never a 500."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from config.admin import ask_then_act, run_per_row

from ..gateways.base import EvidenceFile
from ..models import Dispute, DisputeChange
from .services import (
    dispute_accept,
    dispute_cancel_what_it_bought,
    dispute_contest,
    dispute_enter_by_staff,
    dispute_let_go_ahead,
    dispute_record_outcome,
    dispute_sync_with_provider,
)

EVIDENCE_FILES = 5
EVIDENCE_MAX_BYTES = 4 * 1024 * 1024  # what both providers take per file


class AcceptForm(forms.Form):
    confirm = forms.BooleanField(
        label="The money goes back to the shopper; this cannot be undone at the provider."
    )


class ContestForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea, max_length=1000, help_text="What the bank reads first."
    )
    submit = forms.BooleanField(
        required=False, help_text="Submit now; unticked, the evidence is kept as a draft."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(EVIDENCE_FILES):
            self.fields[f"file_{n}"] = forms.FileField(required=False, label=f"Evidence {n + 1}")

    def clean(self):
        super().clean()
        for n in range(EVIDENCE_FILES):
            upload = self.cleaned_data.get(f"file_{n}")
            if upload and upload.size > EVIDENCE_MAX_BYTES:
                raise forms.ValidationError(f"{upload.name} is larger than 4 MB.")
        return self.cleaned_data


def evidence_of(data: dict) -> list[EvidenceFile]:
    """The uploaded files of a filled ContestForm (read from the start each time)."""
    files = []
    for upload in (data.get(f"file_{n}") for n in range(EVIDENCE_FILES)):
        if upload:
            upload.seek(0)
            files.append(
                EvidenceFile(
                    name=upload.name,
                    content=upload.read(),
                    content_type=upload.content_type or "application/octet-stream",
                )
            )
    return files


class DisputeEntryForm(forms.Form):
    provider_dispute_id = forms.CharField(max_length=100, label="The provider's dispute id")
    amount = forms.DecimalField(max_digits=12, decimal_places=2, help_text="In rupees.")
    reason_code = forms.CharField(max_length=100, required=False)
    respond_by = forms.DateTimeField(required=False, help_text="The provider's deadline.")


class DisputeChangeInline(admin.TabularInline):
    model = DisputeChange
    extra = 0
    fields = readonly_fields = ("created_at", "what", "status", "by", "note")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = [
        "__str__", "payment", "amount", "currency", "status", "deadline", "needs_attention",
        "resolution",
    ]  # fmt: skip
    list_filter = ["status", "provider", "needs_attention", "resolution"]
    search_fields = ["provider_dispute_id", "provider_payment_id", "payment__id"]
    list_select_related = ["payment"]
    readonly_fields = [
        "provider", "provider_dispute_id", "payment", "provider_payment_id", "amount",
        "amount_deducted", "currency", "reason_code", "phase", "status", "provider_status",
        "respond_by", "needs_attention", "accepted_by", "accepted_at", "contested_by",
        "contested_at", "resolution", "opened_alert_sent_at", "due_alert_sent_at", "created_at",
        "updated_at",
    ]  # fmt: skip
    inlines = [DisputeChangeInline]
    actions = [
        "accept", "contest", "ask_provider", "record_won", "record_lost",
        "cancel_what_it_bought", "let_go_ahead",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # from the provider's events, or from a payment (Record a dispute…)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="answer by", ordering="respond_by")
    def deadline(self, dispute: Dispute):
        if dispute.respond_by is None:
            return "-"
        shown = f"{timezone.localtime(dispute.respond_by):%Y-%m-%d %H:%M}"
        if dispute.is_open and dispute.respond_by < timezone.now():
            return format_html("{} <strong>overdue</strong>", shown)
        return shown

    def _each(self, request, queryset, service, done: str, **kwargs):
        run_per_row(
            self,
            request,
            queryset,
            lambda dispute: service(dispute_id=dispute.pk, staff=request.user, **kwargs),
            done=done,
        )

    @admin.action(
        description="Accept (the money goes back to the shopper)…", permissions=["change"]
    )
    def accept(self, request, queryset):
        return ask_then_act(
            self,
            request,
            queryset,
            form_class=AcceptForm,
            action="accept",
            title="Accept the dispute",
            rows=[{"subject": dispute} for dispute in queryset],
            act=lambda dispute, data: dispute_accept(dispute_id=dispute.pk, staff=request.user),
            done="dispute(s) accepted",
        )

    @admin.action(description="Contest with evidence…", permissions=["change"])
    def contest(self, request, queryset):
        return ask_then_act(
            self,
            request,
            queryset,
            form_class=ContestForm,
            action="contest",
            title="Contest the dispute",
            rows=[{"subject": dispute} for dispute in queryset],
            act=lambda dispute, data: dispute_contest(
                dispute_id=dispute.pk,
                staff=request.user,
                summary=data["summary"],
                files=evidence_of(data),
                submit=data["submit"],
            ),
            done="dispute(s) answered",
        )

    @admin.action(description="Ask the provider for its latest state", permissions=["change"])
    def ask_provider(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda dispute: dispute_sync_with_provider(
                dispute=dispute, what="asked by staff", by=request.user
            ),
            done="dispute(s) brought up to date",
        )

    @admin.action(
        description="Record: won (a provider with no dispute API)", permissions=["change"]
    )
    def record_won(self, request, queryset):
        self._each(request, queryset, dispute_record_outcome, "dispute(s) recorded won", won=True)

    @admin.action(
        description="Record: lost (a provider with no dispute API)", permissions=["change"]
    )
    def record_lost(self, request, queryset):
        self._each(request, queryset, dispute_record_outcome, "dispute(s) recorded lost", won=False)

    @admin.action(
        description="Lost: cancel what it bought, without a refund (stock back, slot freed)",
        permissions=["change"],
    )
    def cancel_what_it_bought(self, request, queryset):
        self._each(
            request, queryset, dispute_cancel_what_it_bought, "order(s) or booking(s) cancelled"
        )

    @admin.action(description="Lost: let its order or booking go ahead", permissions=["change"])
    def let_go_ahead(self, request, queryset):
        self._each(request, queryset, dispute_let_go_ahead, "dispute(s) settled")


class PaymentDisputeActions:
    """On the payments list: record a dispute a provider told us of outside its API."""

    @admin.action(
        description="Record a dispute of this payment by hand…", permissions=["record_dispute"]
    )
    def record_dispute(self, request, queryset):
        return ask_then_act(
            self,
            request,
            queryset,
            form_class=DisputeEntryForm,
            action="record_dispute",
            title="Record a dispute",
            rows=[{"subject": payment} for payment in queryset],
            act=lambda payment, data: dispute_enter_by_staff(
                payment_id=payment.pk, staff=request.user, **data
            ),
            done="dispute(s) recorded",
        )

    def has_record_dispute_permission(self, request) -> bool:
        return request.user.has_perm("payments.change_dispute")
