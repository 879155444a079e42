"""What the accountant reads: each settlement as the bank statement shows it, with its
gross, refunds, disputes, adjustments, fees, GST on fees and net; what stands flagged; the
payments still waiting for their money; a month's lines."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from payments.gateways.base import SettlementApi
from payments.gateways.registry import gateways, provider_enabled, supports
from payments.models import Payment
from payments.selectors import purchase_of

from .models import (
    PROVIDERS_OWN_KINDS,
    LineFlag,
    LineKind,
    Settlement,
    SettlementLine,
    SettlementStatus,
)

MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)


class Statement(TypedDict):
    gross: Decimal
    refunds: Decimal
    disputes: Decimal
    adjustments: Decimal
    line_fees: Decimal
    line_tax: Decimal
    net: Decimal
    flagged: int


if TYPE_CHECKING:  # the type checker's view of a settlement read with its statement
    from django_stubs_ext import WithAnnotations

    SettlementWithStatement = WithAnnotations[Settlement, Statement]


def _total(expression, condition: Q | None = None, *, negate: bool = False):
    summed = Coalesce(Sum(expression, filter=condition), Value(Decimal(0)), output_field=MONEY)
    return ExpressionWrapper(Value(Decimal(0)) - summed, output_field=MONEY) if negate else summed


def settlements_statement() -> QuerySet["SettlementWithStatement"]:
    """Settlements with their statement in one query: gross, refunds, disputes (what they
    took), adjustments, fees (GST included), tax (the GST on fees), net and lines flagged.
    A line's gross is what it moved before the fee (credit − debit + fee), so
    net = gross − refunds − disputes + adjustments − fees, whatever a line's fee was for."""
    gross = ExpressionWrapper(
        F("lines__credit") - F("lines__debit") + F("lines__fee"), output_field=MONEY
    )
    return Settlement.objects.annotate(
        gross=_total(gross, Q(lines__kind=LineKind.PAYMENT)),
        refunds=_total(gross, Q(lines__kind=LineKind.REFUND), negate=True),
        disputes=_total(gross, Q(lines__kind=LineKind.DISPUTE), negate=True),
        adjustments=_total(gross, Q(lines__kind__in=PROVIDERS_OWN_KINDS)),
        line_fees=_total(F("lines__fee")),
        line_tax=_total(F("lines__tax")),
        net=_total(ExpressionWrapper(F("lines__credit") - F("lines__debit"), output_field=MONEY)),
        flagged=Sum(
            Value(1), filter=~Q(lines__flag=LineFlag.NONE) & Q(lines__isnull=False), default=0
        ),
    )


def settlements_unbalanced() -> QuerySet["SettlementWithStatement"]:
    """Processed settlements whose lines do not add up to what reached the bank (a page
    not pulled yet, or lines the provider moved)."""
    return (
        settlements_statement().filter(status=SettlementStatus.PROCESSED).exclude(net=F("amount"))
    )


def lines_flagged(flag: str | None = None) -> QuerySet[SettlementLine]:
    lines = SettlementLine.objects.exclude(flag=LineFlag.NONE)
    return lines.filter(flag=flag) if flag else lines


def settlement_providers() -> list[str]:
    """The enabled providers whose settlements can be read (PhonePe's cannot)."""
    return [name for name in gateways() if provider_enabled(name) and supports(name, SettlementApi)]


def payments_unsettled(*, now=None) -> QuerySet[Payment]:
    """Captured payments whose money has not reached the bank `SETTLEMENT_EXPECTED_DAYS`
    after capture (no settled line names them)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SETTLEMENT_EXPECTED_DAYS)
    settled = SettlementLine.objects.filter(
        payment=OuterRef("pk"), kind=LineKind.PAYMENT, settled=True
    )
    return Payment.objects.filter(
        provider__in=settlement_providers(),
        captured_amount__isnull=False,
        completed_at__lte=cutoff,
    ).exclude(Exists(settled))


def line_bought(line: SettlementLine) -> list[tuple[str, object, str]]:
    """What the line's money was for (see payment_bought); nothing when it names no
    payment of ours."""
    return payment_bought(line.payment) if line.payment is not None else []


def _month(first_day: date) -> tuple[datetime, datetime]:
    next_month = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
    start, end = (
        timezone.make_aware(datetime.combine(day, time())) for day in (first_day, next_month)
    )
    return start, end


def month_lines(first_day: date) -> QuerySet[SettlementLine]:
    """The lines of every settlement that reached the bank in the month (the shop's days),
    each with what leads to its order or booking and their tax documents."""
    start, end = _month(first_day)
    return (
        SettlementLine.objects.filter(
            settlement__settled_at__gte=start, settlement__settled_at__lt=end
        )
        .select_related("settlement", "payment__order__invoice")
        .prefetch_related("payment__bookings__invoice")
        .order_by("settlement__settled_at", "settlement__pk", "pk")
    )


def month_unreported_payments(first_day: date) -> QuerySet[Payment]:
    """Payments whose money arrived in the month at a provider that reports no settlements
    (PhonePe): no settlement line will ever name them."""
    start, end = _month(first_day)
    silent = [name for name in gateways() if not supports(name, SettlementApi)]
    return (
        Payment.objects.filter(
            provider__in=silent,
            captured_amount__isnull=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("order__invoice")
        .prefetch_related("bookings__invoice")
        .order_by("created_at", "pk")
    )


def payment_bought(payment: Payment) -> list[tuple[str, object, str]]:
    """What a payment bought, as (admin model, key, label): its order and bookings, or the
    payment itself when it bought neither."""
    purchase = purchase_of(payment)
    bought: list[tuple[str, object, str]] = []
    if purchase.order is not None:
        bought.append(("orders_order", purchase.order.pk, f"order {purchase.order_number}"))
    bought += [("bookings_booking", b.pk, f"booking {b.book_id}") for b in purchase.bookings]
    return bought or [("payments_payment", payment.pk, f"payment {payment.pk}")]


def payment_documents(payment: Payment) -> list[str]:
    """The numbers of the tax documents of what a payment bought (read with the prefetch
    of month_lines or month_unreported_payments)."""
    sales = purchase_of(payment).sales
    return [sale.invoice.number for sale in sales if hasattr(sale, "invoice")]
