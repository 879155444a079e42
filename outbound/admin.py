"""Outbound in admin: endpoints (added with a new secret shown once; rotate, enable, resend
every failed delivery since a time), events with their deliveries, deliveries with their
attempts (status, answer code, time, the answer's first 1 KB) and a resend. Acting needs the
`change` permission of what is touched; refusals are shown, never a 500."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from config.admin import ask_then_act, run_per_row
from config.exceptions import Invalid

from .models import Attempt, Delivery, Endpoint, Event
from .registry import EVENT_TYPE_NAMES
from .services import (
    deliveries_resend_failed,
    delivery_resend,
    endpoint_create,
    endpoint_enable,
    endpoint_rotate_secret,
    endpoint_url_checked,
)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="None ticked: every event."
    )

    class Meta:
        model = Endpoint
        fields = ["description"]  # and the URL declared above (checked, https by default)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The apps' event types, registered at ready() (after admin modules are read).
        events = self.fields["events"]
        if isinstance(events, forms.MultipleChoiceField):
            events.choices = [(name, name) for name in EVENT_TYPE_NAMES]

    def clean_url(self) -> str:
        try:
            return endpoint_url_checked(self.cleaned_data["url"])
        except Invalid as exc:  # not https, or reaching inside: said on the form
            raise forms.ValidationError(str(exc)) from exc


class SinceForm(forms.Form):
    since = forms.DateTimeField(help_text="Resend every failed delivery made since then.")


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ("at", "outcome", "status_code", "duration_ms", "error", "response_excerpt")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("endpoint", "status", "attempts", "last_status_code", "next_attempt_at",
              "delivered_at", "last_error")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "subscribed", "is_active", "failing_since", "disabled_reason")
    list_filter = ("is_active",)
    actions = ["rotate_secret", "enable", "resend_failed"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("subscriptions")

    @admin.display(description="events")
    def subscribed(self, endpoint):
        return ", ".join(endpoint.events) or "every event"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["url", "events", "description"]
        return ["url", "subscribed", "description", "is_active", "failing_since",
                "paused_until", "disabled_reason", "previous_secret_until", "created_at"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["url", "subscribed", "is_active", "failing_since", "paused_until",
                "disabled_reason", "previous_secret_until", "created_at"]  # fmt: skip

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        made = endpoint_create(
            url=form.cleaned_data["url"], events=form.cleaned_data.get("events"),
            description=form.cleaned_data.get("description", ""),
        )  # fmt: skip
        obj.pk = made.pk
        self.message_user(
            request,
            format_html(
                "Its secret, shown this once (keep it to verify signatures): <code>{}</code>",
                made.secret,
            ),
            level=messages.WARNING,
        )

    @admin.action(description="Rotate the secret (the old one signs too for 24 hours)",
                  permissions=["change"])  # fmt: skip
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            secret = endpoint_rotate_secret(endpoint_id=endpoint.pk)
            self.message_user(
                request,
                format_html("{}: new secret, shown this once: <code>{}</code>", endpoint, secret),
                level=messages.WARNING,
            )

    @admin.action(description="Enable (after its receiver is fixed)", permissions=["change"])
    def enable(self, request, queryset):
        run_per_row(self, request, queryset, lambda e: endpoint_enable(endpoint_id=e.pk),
                    done="endpoints enabled")  # fmt: skip

    @admin.action(description="Resend every failed delivery since…", permissions=["change"])
    def resend_failed(self, request, queryset):
        resent: list[int] = []
        answer = ask_then_act(
            self, request, queryset, form_class=SinceForm, action="resend_failed",
            title="Resend failed deliveries", rows=[{"subject": e} for e in queryset],
            act=lambda endpoint, data: resent.append(deliveries_resend_failed(
                endpoint_id=endpoint.pk, since=data["since"])),
            done="endpoints' failed deliveries resent",
        )  # fmt: skip
        if resent:
            self.message_user(request, f"{sum(resent)} deliveries sent again.")
        return answer


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("public_id", "type", "created_at")
    list_filter = ("type",)
    search_fields = ("public_id",)
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]
    readonly_fields = ("public_id", "type", "created_at", "data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at")  # fmt: skip
    list_filter = ("status", "endpoint")
    list_select_related = ("event", "endpoint")
    search_fields = ("event__public_id",)
    inlines = [AttemptInline]
    actions = ["resend"]
    readonly_fields = ("event", "endpoint", "status", "attempts", "last_status_code",
                       "last_error", "next_attempt_at", "retry_until", "delivered_at",
                       "created_at")  # fmt: skip

    def has_add_permission(self, request):
        return False

    @admin.action(description="Resend", permissions=["change"])
    def resend(self, request, queryset):
        run_per_row(self, request, queryset, lambda d: delivery_resend(delivery_id=d.pk),
                    done="deliveries sent again")  # fmt: skip
