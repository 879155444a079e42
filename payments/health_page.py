"""The "Payment health" page in admin: where money is stuck, each row linking to its admin
page and the action that moves it on, and payments per hour over the last day."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from config.admin import health_sections
from holds.selectors import holds_active, holds_lapsed

from . import backlog
from .disputes.alerts import disputes_due_soon
from .disputes.selectors import disputes_open
from .ledger import BREACHES, payments_breaching
from .models import PaymentStatus
from .rotations import rotations_open

ROWS_SHOWN = 50
# The chart's outcomes, bottom to top, with their colours (open: INITIATED or PENDING).
CHART_OUTCOMES = {
    "succeeded": ((PaymentStatus.SUCCESS,), "#2e7d32"),
    "refunded": ((PaymentStatus.REFUNDED,), "#1565c0"),
    "failed": ((PaymentStatus.FAILED, PaymentStatus.EXPIRED), "#c62828"),
    "open": ((PaymentStatus.INITIATED, PaymentStatus.PENDING), "#9e9e9e"),
}
CHART_HOURS, BAR_WIDTH, CHART_HEIGHT = 24, 20, 120


def _hourly_chart(rows: list[dict]) -> dict:
    """Stacked bars (SVG rectangles: no inline styles under the CSP) of payments per hour
    over the last CHART_HOURS hours, by outcome, scaled to the busiest hour."""
    outcome_of = {s: name for name, (statuses, _) in CHART_OUTCOMES.items() for s in statuses}
    this_hour = timezone.localtime().replace(minute=0, second=0, microsecond=0)  # as TruncHour
    first_hour = this_hour - timedelta(hours=CHART_HOURS - 1)
    counts = [dict.fromkeys(CHART_OUTCOMES, 0) for _ in range(CHART_HOURS)]
    for row in rows:
        slot = int((row["hour"] - first_hour).total_seconds() // 3600)
        if 0 <= slot < CHART_HOURS:
            counts[slot][outcome_of.get(row["status"], "open")] += row["count"]
    busiest = max((sum(hour.values()) for hour in counts), default=0) or 1
    bars = []
    for slot, hour in enumerate(counts):
        top = CHART_HEIGHT
        for name, count in hour.items():
            height = round(CHART_HEIGHT * count / busiest)
            if count:
                top -= height
                bars.append(
                    {"x": slot * BAR_WIDTH, "y": top, "height": height, "count": count,
                     "outcome": name, "colour": CHART_OUTCOMES[name][1],
                     "hour": first_hour + timedelta(hours=slot)}
                )  # fmt: skip
    return {
        "bars": bars,
        "width": CHART_HOURS * BAR_WIDTH,
        "height": CHART_HEIGHT,
        "busiest": busiest,
        "legend": [(name, colour) for name, (_, colour) in CHART_OUTCOMES.items()],
        "since": first_hour,
    }


def payment_health(request):
    if not request.user.has_perm("payments.view_payment"):
        raise PermissionDenied
    sections = {
        "attention": backlog.payments_needing_attention().order_by("-created_at"),
        "stale": backlog.payments_stale_pending().order_by("created_at"),
        "webhooks": backlog.webhooks_troubled().order_by("-received_at"),
        "refunds": backlog.refunds_stuck().select_related("payment").order_by("created_at"),
    }
    unaccounted = payments_breaching().order_by("created_at")
    open_disputes = disputes_open()
    active = holds_active().select_related(
        "payment__user", "cart__user", "variant", "slot__puja_service"
    )
    context = {
        **admin.site.each_context(request),
        "title": "Payment health",
        "holds": {
            "count": active.count(),
            "lapsed": holds_lapsed().count(),
            "rows": active[:ROWS_SHOWN],
        },
        "unaccounted": {
            "count": unaccounted.count(),
            "rows": [
                (
                    payment,
                    [BREACHES[kind][0] for kind in BREACHES if getattr(payment, f"is_{kind}")],
                )
                for payment in unaccounted[:ROWS_SHOWN]
            ],
        },
        "rotations": rotations_open(),
        "now": timezone.now(),
        "disputes": {
            "count": open_disputes.count(),
            "due_soon": disputes_due_soon().count(),
            "hours": settings.DISPUTE_DUE_SOON_HOURS,
            "rows": open_disputes[:ROWS_SHOWN],
        },
        "more_sections": health_sections(),
        "chart": _hourly_chart(backlog.payments_per_hour(hours=CHART_HOURS)),
        **{
            name: {"count": rows.count(), "rows": rows[:ROWS_SHOWN]}
            for name, rows in sections.items()
        },
    }
    return TemplateResponse(request, "admin/payments/payment_health.html", context)
