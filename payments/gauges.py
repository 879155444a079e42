"""Where money may be stuck right now (backlog.py, the ledger, open secret rotations), as
gauges counted at every scrape (registered at ready(): config/metrics.py)."""

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from . import backlog
from .disputes.alerts import disputes_due_soon
from .disputes.selectors import disputes_open
from .ledger import payments_unaccounted_count
from .rotations import rotations_open


def _count_by(queryset, field: str):
    return queryset.order_by().values_list(field).annotate(count=Count("pk"))


class PaymentGauges:
    def collect(self):
        by_provider = {
            "paycart_payments_needing_attention": (
                "Paid payments flagged for staff and not refunded yet.",
                backlog.payments_needing_attention(),
            ),
            "paycart_payments_stale_pending": (
                "Payments still open after the reconciliation threshold.",
                backlog.payments_stale_pending(),
            ),
        }
        for name, (documentation, payments) in by_provider.items():
            gauge = GaugeMetricFamily(name, documentation, labels=["provider"])
            for provider, count in _count_by(payments, "provider"):
                gauge.add_metric([provider], count)
            yield gauge
        yield GaugeMetricFamily(
            "paycart_payments_unaccounted",
            "Payments whose captured money is not fulfilled, refunded or on its way back "
            "(the audit_payments ledger).",
            value=payments_unaccounted_count(),
        )
        yield GaugeMetricFamily(
            "paycart_webhooks_troubled",
            "Webhook deliveries failed, unconfirmed or stopped midway.",
            value=backlog.webhooks_troubled().count(),
        )
        yield GaugeMetricFamily(
            "paycart_refunds_stuck",
            "Refunds refused by the provider or waiting too long.",
            value=backlog.refunds_stuck().count(),
        )
        yield GaugeMetricFamily(
            "paycart_disputes_open",
            "Disputes open or under review: money a bank may take back.",
            value=disputes_open().count(),
        )
        yield GaugeMetricFamily(
            "paycart_disputes_due_soon",
            "Open disputes whose deadline to answer is within DISPUTE_DUE_SOON_HOURS (or past).",
            value=disputes_due_soon().count(),
        )
        rotations = GaugeMetricFamily(
            "paycart_secret_rotation_open",
            "A previous secret still set (one series each): seconds since a delivery first "
            "verified with it, 0 while none has.",
            labels=["secret"],
        )
        for rotation in rotations_open():
            rotations.add_metric([rotation.secret], rotation.open_seconds)
        yield rotations
