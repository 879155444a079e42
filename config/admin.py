"""Admin helpers every app shares: an action runs one service per selected row and shows
staff each refusal (never a 500); an action may first ask for what it needs on a page of
its own."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.template.response import TemplateResponse

from config.exceptions import DomainError, ProviderTrouble

# What staff are shown instead of a 500: a service's refusal, or the provider's trouble
# (whose message is safe to show staff, not shoppers).
REFUSALS = (DomainError, ProviderTrouble)


def run_per_row(modeladmin, request, queryset, service, *, done: str) -> None:
    """`service(obj)` for every selected row; each refusal is shown with its row."""
    succeeded = 0
    for obj in queryset:
        try:
            service(obj)
            succeeded += 1
        except REFUSALS as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", level=messages.ERROR)
    if succeeded:
        modeladmin.message_user(request, f"{succeeded} {done}.", level=messages.SUCCESS)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="Recorded with your name.")


def ask_then_act(
    modeladmin, request, queryset, *, form_class, action: str, title: str, rows, act, done: str
) -> TemplateResponse | None:
    """An action with an intermediate page: show the form; once it is filled in validly,
    run `act(obj, form.cleaned_data)` for every selected row (refusals reported)."""
    applied = "apply" in request.POST
    form = form_class(request.POST if applied else None, request.FILES if applied else None)
    if form.is_valid():
        run_per_row(
            modeladmin,
            request,
            queryset,
            lambda obj: act(obj, form.cleaned_data),
            done=done,
        )
        return None
    return TemplateResponse(
        request,
        "admin/ask_then_act.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "rows": rows,
            "money": any("payment" in row for row in rows),
            "queryset": queryset,
            "action": action,
        },
    )


# Sections the apps above payments add to the "Payment health" page (registered at ready(),
# as gauges are): each answers {"id", "title", "count", "help", "headers", "rows"}, a row
# being cells of (text, admin URL or "").
_health_sections: dict[str, Callable[[], dict]] = {}


def health_sections_register(name: str, section: Callable[[], dict]) -> None:
    _health_sections[name] = section


def health_sections() -> list[dict]:
    return [section() for section in _health_sections.values()]
