"""Settlements recorded and matched. Lines are written a page at a time in a constant number
of queries, each keyed by its id at the provider, so pulling a day twice, or a pull racing a
webhook, changes nothing; each is matched to the payment, refund or dispute of ours it names
and flagged when it names none, its amount differs from ours, or the provider holds it. No
provider call is made while a row is locked."""

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from payments.gateways.base import (
    ProviderFailure,
    SettlementApi,
    SettlementLineReport,
    SettlementReport,
    SettlementState,
)
from payments.gateways.registry import provider_api
from payments.models import Dispute, Payment, Refund
from payments.money import from_minor

from .events import settlement_event
from .models import (
    PROVIDERS_OWN_KINDS,
    LineFlag,
    LineKind,
    Settlement,
    SettlementLine,
    SettlementStatus,
)
from .selectors import settlement_providers

logger = logging.getLogger(__name__)

UPDATED = [
    "settlement", "provider_entity_id", "kind", "provider_settlement_id", "amount", "credit",
    "debit", "fee", "tax", "on_hold", "settled", "settled_at", "payment", "refund", "dispute",
    "flag", "updated_at",
]  # fmt: skip


def _when(unix: int | None) -> datetime | None:
    return datetime.fromtimestamp(unix, tz=UTC) if unix else None


@contextmanager
def _writing(provider: str):
    """One transaction that writes a provider's settlements while no other does (a webhook's
    pull racing the daily one): on PostgreSQL a transaction-scoped advisory lock, so two
    writers of the same lines never lock them in different orders."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"settlements:{provider}"]
                )
        yield


def _ours(provider: str, reports: list[SettlementLineReport]) -> dict[str, dict]:
    """What each line may name, read in one query per kind."""
    ids = {kind: [r.provider_entity_id for r in reports if r.kind == kind] for kind in LineKind}
    return {
        LineKind.PAYMENT: {
            p.provider_payment_id: p
            for p in Payment.objects.filter(
                provider=provider, provider_payment_id__in=ids[LineKind.PAYMENT]
            )
        },
        LineKind.REFUND: {
            r.provider_refund_id: r
            for r in Refund.objects.filter(
                payment__provider=provider, provider_refund_id__in=ids[LineKind.REFUND]
            )
        },
        LineKind.DISPUTE: {
            d.provider_dispute_id: d
            for d in Dispute.objects.filter(
                provider=provider, provider_dispute_id__in=ids[LineKind.DISPUTE]
            )
        },
    }


def _flag(report: SettlementLineReport, matched) -> str:
    if report.on_hold:
        return LineFlag.ON_HOLD
    if report.kind in PROVIDERS_OWN_KINDS:
        return LineFlag.NONE
    if matched is None:
        return LineFlag.UNMATCHED
    ours = matched.captured_amount if report.kind == LineKind.PAYMENT else matched.amount
    if ours is None or from_minor(report.amount) != ours:
        return LineFlag.AMOUNT_MISMATCH
    return LineFlag.NONE


def settlement_lines_record(*, provider: str, reports: list[SettlementLineReport]) -> int:
    """Record one page of lines (created or brought up to date); how many."""
    if not reports:
        return 0
    ours = _ours(provider, reports)
    with _writing(provider):
        return _lines_write(provider, reports, ours)


def _lines_write(provider: str, reports: list[SettlementLineReport], ours: dict) -> int:
    settlements = {
        s.provider_settlement_id: s
        for s in Settlement.objects.filter(
            provider=provider,
            provider_settlement_id__in={r.provider_settlement_id for r in reports},
        )
    }
    lines = []
    for report in reports:
        matched = ours.get(report.kind, {}).get(report.provider_entity_id)
        lines.append(
            SettlementLine(
                provider=provider,
                provider_line_id=report.line_id,
                provider_entity_id=report.provider_entity_id,
                kind=report.kind,
                settlement=settlements.get(report.provider_settlement_id),
                provider_settlement_id=report.provider_settlement_id,
                amount=from_minor(report.amount),
                credit=from_minor(report.credit),
                debit=from_minor(report.debit),
                fee=from_minor(report.fee),
                tax=from_minor(report.tax),
                on_hold=report.on_hold,
                settled=report.settled,
                settled_at=_when(report.settled_at),
                # The payment every line concerns (a refund's, a dispute's), so a line leads
                # to its order or booking in one join.
                payment_id=(matched.pk if report.kind == LineKind.PAYMENT else matched.payment_id)
                if matched is not None
                else None,
                refund=matched if report.kind == LineKind.REFUND else None,
                dispute=matched if report.kind == LineKind.DISPUTE else None,
                flag=_flag(report, matched),
            )
        )
    SettlementLine.objects.bulk_create(
        lines,
        update_conflicts=True,
        unique_fields=["provider", "provider_line_id"],
        update_fields=UPDATED,
    )
    return len(lines)


def settlement_store(*, provider: str, report: SettlementReport) -> Settlement:
    """The settlement as the provider last described it, its lines linked to it. A processed
    settlement never goes back (an older answer racing a newer one changes nothing)."""
    with _writing(provider):
        settlement, _ = Settlement.objects.get_or_create(
            provider=provider,
            provider_settlement_id=report.provider_settlement_id,
            defaults={"status": SettlementStatus.CREATED},  # moved on below
        )
        settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
        newly_processed = (
            settlement.status != SettlementStatus.PROCESSED
            and report.state == SettlementState.PROCESSED
        )
        if not (
            settlement.status == SettlementStatus.PROCESSED
            and report.state != SettlementState.PROCESSED
        ):
            settlement.status = report.state
            settlement.amount = from_minor(report.amount)
            settlement.currency = report.currency
            settlement.utr = report.utr or settlement.utr
            settlement.settled_at = _when(report.settled_at) or settlement.settled_at
        SettlementLine.objects.filter(
            provider=provider, provider_settlement_id=report.provider_settlement_id
        ).exclude(settlement=settlement).update(settlement=settlement)
        if report.fees is None or report.tax is None:  # Stripe: the sum of its lines
            sums = settlement.lines.aggregate(fees=Sum("fee"), tax=Sum("tax"))
            settlement.fees, settlement.tax = sums["fees"] or 0, sums["tax"] or 0
        else:
            settlement.fees, settlement.tax = from_minor(report.fees), from_minor(report.tax)
        settlement.save()
        if newly_processed:
            settlement_event(settlement)
    return settlement


def settlement_pull(*, provider: str, provider_settlement_id: str) -> Settlement:
    """One settlement and its lines, read from the provider (a webhook named it, or it was
    not final when last seen)."""
    gateway = provider_api(provider, SettlementApi)
    report = gateway.fetch_settlement(provider_settlement_id=provider_settlement_id)
    for page in gateway.settlement_lines(settlement=report):
        settlement_lines_record(provider=provider, reports=page)
    return settlement_store(provider=provider, report=report)


def settlements_pull_day(*, provider: str, day: date) -> tuple[int, set[str]]:
    """Every line settled on a day, then the settlements they belong to; how many lines,
    and which settlements."""
    gateway = provider_api(provider, SettlementApi)
    lines, named = 0, set()
    for page in gateway.day_settlement_lines(day=day):
        lines += settlement_lines_record(provider=provider, reports=page)
        named |= {r.provider_settlement_id for r in page if r.provider_settlement_id}
    for settlement_id in sorted(named):
        settlement_store(
            provider=provider,
            report=gateway.fetch_settlement(provider_settlement_id=settlement_id),
        )
    return lines, named


@dataclass
class ReconcileSummary:
    days: list[date] = field(default_factory=list)
    lines: int = 0
    settlements: set[str] = field(default_factory=set)
    revisited: int = 0
    failures: list[str] = field(default_factory=list)


def settlements_reconcile(
    *, days: Iterable[date] | None = None, lookback: int = 3
) -> ReconcileSummary:
    """Pull each day (default: the last `lookback` days up to today) from every provider
    with a settlement API, then revisit every settlement not yet processed (Razorpay retries
    a failed one). One provider's trouble is reported, never stops the others."""
    today = timezone.localdate()
    summary = ReconcileSummary(
        days=sorted(days) if days else [today - timedelta(days=n) for n in range(lookback)][::-1]
    )
    for provider in settlement_providers():
        try:
            for day in summary.days:
                lines, named = settlements_pull_day(provider=provider, day=day)
                summary.lines += lines
                summary.settlements |= named
            unfinished = Settlement.objects.filter(provider=provider).exclude(
                status=SettlementStatus.PROCESSED
            )
            for settlement in unfinished.exclude(provider_settlement_id__in=summary.settlements):
                settlement_pull(
                    provider=provider, provider_settlement_id=settlement.provider_settlement_id
                )
                summary.revisited += 1
        except ProviderFailure as exc:
            logger.warning("Settlements of %s not pulled: %s", provider, exc)
            summary.failures.append(f"{provider}: {exc}")
    return summary
