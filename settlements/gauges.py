"""What stands flagged in settlements, counted at every scrape (registered at ready():
config/metrics.py) and shown on the payment-health page (config/admin.py)."""

from django.urls import reverse
from prometheus_client.core import GaugeMetricFamily

from .models import LineFlag
from .selectors import lines_flagged, payments_unsettled, settlements_unbalanced

ROWS_SHOWN = 50


class SettlementGauges:
    def collect(self):
        yield GaugeMetricFamily(
            "paycart_settlement_lines_unmatched",
            "Settlement lines that name nothing of ours.",
            value=lines_flagged(LineFlag.UNMATCHED).count(),
        )
        yield GaugeMetricFamily(
            "paycart_payments_unsettled",
            "Captured payments with no settlement SETTLEMENT_EXPECTED_DAYS after capture.",
            value=payments_unsettled().count(),
        )
        flagged = GaugeMetricFamily(
            "paycart_settlement_lines_flagged",
            "Settlement lines flagged for the accountant, by flag.",
            labels=["flag"],
        )
        for flag in (LineFlag.UNMATCHED, LineFlag.AMOUNT_MISMATCH, LineFlag.ON_HOLD):
            flagged.add_metric([flag.value], lines_flagged(flag).count())
        yield flagged


def settlement_health() -> dict:
    """The payment-health page's settlement section: each flagged line, each payment still
    unsettled, each settlement whose lines do not add up."""
    lines = lines_flagged().order_by("-pk")
    unsettled = payments_unsettled().order_by("completed_at")
    unbalanced = settlements_unbalanced()
    rows = [
        [
            (f"{line.provider} {line.provider_entity_id}",
             reverse("admin:settlements_settlementline_change", args=[line.pk])),
            (line.get_kind_display(), ""),
            (line.get_flag_display(), ""),
            (str(line.amount), ""),
        ]
        for line in lines[:ROWS_SHOWN]
    ] + [
        [
            (f"{payment.provider} {payment.provider_payment_id}",
             reverse("admin:payments_payment_change", args=[payment.pk])),
            ("Payment", ""),
            (f"Unsettled since {payment.completed_at:%Y-%m-%d}", ""),
            (str(payment.captured_amount), ""),
        ]
        for payment in unsettled[:ROWS_SHOWN]
    ] + [
        [
            (f"{s.provider} {s.provider_settlement_id}",
             reverse("admin:settlements_settlement_change", args=[s.pk])),
            ("Settlement", ""),
            (f"Its lines add up to {s.net}", ""),
            (str(s.amount), ""),
        ]
        for s in unbalanced[:ROWS_SHOWN]
    ]  # fmt: skip
    return {
        "id": "settlements",
        "title": "Settlements to look at",
        "count": lines.count() + unsettled.count() + unbalanced.count(),
        "help": (
            "Lines that name nothing of ours, differ from what we recorded or are held by "
            "the provider; payments whose money has not reached the bank in time; "
            "settlements whose lines do not add up to what the bank received."
        ),
        "headers": ["What", "Kind", "Why", "Amount"],
        "rows": rows,
    }
