"""The money ledger: every rupee a provider captured ends as an order or a booking, or back
with the shopper, or on its way back. For each payment whose money arrived (its
`captured_amount`), over the refunds of its own capture:

    captured = kept for what was fulfilled + refunded + refunds in flight
               (+ refunds staff gave up on, saying the money went back another way)
               + lost to disputes (lost or accepted: the bank returned it)

A breach is anything else, by kind (BREACHES). `payments_audit` lists them for the
`audit_payments` command; the payment-health page and the `paycart_payments_unaccounted`
gauge count the same payments, from the same query."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncTime
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from orders.models import Order, OrderStatus

from .models import MONEY_RETURNED_STATUSES, Dispute, Payment, PaymentStatus, Refund, RefundStatus

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _own_refunds(condition: Q):
    """The sum of this payment's refunds of its own capture that meet `condition`."""
    refunds = (
        Refund.objects.filter(
            condition, payment=OuterRef("pk"), provider_payment_id=OuterRef("provider_payment_id")
        )
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(refunds, output_field=MONEY), Value(Decimal("0")), output_field=MONEY)


def _lost_to_disputes():
    """What lost and accepted disputes of this payment returned to the shopper."""
    lost = (
        Dispute.objects.filter(payment=OuterRef("pk"), status__in=MONEY_RETURNED_STATUSES)
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount_deducted"))
        .values("total")
    )
    return Coalesce(Subquery(lost, output_field=MONEY), Value(Decimal("0")), output_field=MONEY)


def _lost_and_unsettled() -> QuerySet[Dispute]:
    """Lost or accepted disputes of this payment that staff have not settled (cancelled what
    it bought, or let it go ahead)."""
    return Dispute.objects.filter(
        payment=OuterRef("pk"), status__in=MONEY_RETURNED_STATUSES, resolution=""
    )


def _still_to_come() -> Q:
    """An order not shipped yet, or a booking whose slot is still ahead."""
    return Q(
        Exists(
            Order.objects.filter(
                pk=OuterRef("order_id"),
                status__in=[OrderStatus.PAYMENT_CONFIRMED, OrderStatus.AWAITING_SHIPMENT],
            )
        )
    ) | Q(
        Exists(
            Booking.objects.filter(
                payment=OuterRef("pk"),
                status=BookingStatus.CONFIRMED,
                selected_date__gte=timezone.localdate(),
            )
        )
    )


def _slot_began_before_booked() -> Q:
    """A booking made (paid) once its slot had already begun, in the shop's time zone."""
    zone = timezone.get_current_timezone()
    booked_on = TruncDate("created_at", tzinfo=zone)
    return Q(selected_date__lt=booked_on) | Q(
        selected_date=booked_on, selected_time__lte=TruncTime("created_at", tzinfo=zone)
    )


def _failed_refunds() -> QuerySet[Refund]:
    """Refund attempts that failed and were neither retried nor given up."""
    return Refund.objects.filter(
        payment=OuterRef("pk"),
        status=RefundStatus.FAILED,
        given_up_at__isnull=True,
        retry__isnull=True,
    )


def payments_ledger() -> QuerySet[Payment]:
    """Every payment whose money arrived, with what its refunds account for."""
    refunded = F("processed") + F("in_flight") + F("written_off")
    return Payment.objects.filter(captured_amount__isnull=False).annotate(
        processed=_own_refunds(Q(status=RefundStatus.PROCESSED)),
        in_flight=_own_refunds(Q(status=RefundStatus.REQUESTED)),
        # A refund never sent because a lost dispute returned the money counts as the dispute.
        written_off=_own_refunds(Q(given_up_at__isnull=False, superseded_by__isnull=True)),
        lost=_lost_to_disputes(),
        refunds_total=ExpressionWrapper(refunded, output_field=MONEY),
        accounted_for=ExpressionWrapper(refunded + F("lost"), output_field=MONEY),
        owed=_own_refunds(
            Q(status=RefundStatus.FAILED, given_up_at__isnull=True, retry__isnull=True)
        ),
        failed_own=Exists(
            _failed_refunds().filter(provider_payment_id=OuterRef("provider_payment_id"))
        ),
        failed_other=Exists(
            _failed_refunds().exclude(provider_payment_id=OuterRef("provider_payment_id"))
        ),
        order_stands=Exists(
            Order.objects.filter(pk=OuterRef("order_id")).exclude(
                status__in=[OrderStatus.REFUNDED, OrderStatus.CANCELLED]
            )
        ),
        booking_stands=Exists(
            Booking.objects.filter(payment=OuterRef("pk"), status=BookingStatus.CONFIRMED)
        ),
        order_undone=Exists(
            Order.objects.filter(
                pk=OuterRef("order_id"), status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED]
            )
        ),
        booking_undone=Exists(
            Booking.objects.filter(payment=OuterRef("pk"), status=BookingStatus.CANCELLED)
        ),
        # The fees kept by the policy when devotees cancelled: the shop's, not kept wrongly.
        fees_kept=Coalesce(
            Subquery(
                Booking.objects.filter(payment=OuterRef("pk"), status=BookingStatus.CANCELLED)
                .order_by()
                .values("payment")
                .annotate(kept=Sum("cancel_fee_kept"))
                .values("kept")
            ),
            Value(Decimal("0")),
            output_field=MONEY,
        ),
        lost_but_open=Exists(_lost_and_unsettled()) & _still_to_come(),
        slot_past=Exists(
            Booking.objects.filter(
                _slot_began_before_booked(),
                payment=OuterRef("pk"),
                status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED],
            )
        ),
    )


# Each kind of breach: what it means, and the condition that finds it.
BREACHES = {
    "unaccounted": (
        "captured, but neither fulfilled nor refunded",
        # More than captured going back is over_refunded or over_returned, not this.
        Q(fulfilled_at__isnull=True, captured_amount__gt=F("accounted_for") + F("owed")),
    ),
    "refund_failed": (
        "a refund failed and was neither retried nor given up: the money is owed",
        # Moot once other refunds have returned the whole capture.
        Q(failed_own=True, accounted_for__lt=F("captured_amount")) | Q(failed_other=True),
    ),
    "over_refunded": (
        "refunds add up to more than was captured",
        Q(refunds_total__gt=F("captured_amount")),
    ),
    "over_returned": (
        "refunds and lost disputes add up to more than was captured",
        Q(refunds_total__lte=F("captured_amount"), accounted_for__gt=F("captured_amount")),
    ),
    "lost_but_open": (
        "a dispute was lost, but its order has not shipped or its booking is still to come "
        "(cancel it without a refund, or let it go ahead, from the dispute)",
        Q(lost_but_open=True),
    ),
    "underpaid_but_fulfilled": (
        "fulfilled for less than its price",
        Q(fulfilled_at__isnull=False, captured_amount__lt=F("amount")),
    ),
    "refunded_but_standing": (
        "refunded in full, but its order or booking still stands",
        Q(fulfilled_at__isnull=False, refunds_total__gte=F("captured_amount"))
        & (Q(order_stands=True) | Q(booking_stands=True)),
    ),
    "cancelled_but_kept": (
        "its order or booking was cancelled, but its money was kept without a refund",
        # A refund that failed is owed, not kept: refund_failed names that one.
        Q(
            fulfilled_at__isnull=False,
            accounted_for__lt=F("captured_amount") - F("owed") - F("fees_kept"),
        )
        & (Q(order_undone=True) | Q(booking_undone=True)),
    ),
    "status_disagrees": (
        "its status disagrees with its refunds (REFUNDED is all of the capture back)",
        Q(status=PaymentStatus.SUCCESS, processed__gte=F("captured_amount"))
        | Q(status=PaymentStatus.REFUNDED, processed__lt=F("captured_amount")),
    ),
    "slot_past_when_paid": (
        "a booking was confirmed for a slot that had begun when it was paid",
        Q(slot_past=True),
    ),
}
ANY_BREACH = Q()
for _, condition in BREACHES.values():
    ANY_BREACH |= condition


@dataclass(frozen=True)
class Breach:
    payment: Payment
    kind: str

    @property
    def description(self) -> str:
        payment = self.payment
        return (
            f"{BREACHES[self.kind][0]} (captured {payment.captured_amount}, refunded "
            f"{payment.processed}, in flight {payment.in_flight}, given up "
            f"{payment.written_off}, failed {payment.owed}, lost to disputes {payment.lost} "
            f"{payment.currency})"
        )


def payments_breaching() -> QuerySet[Payment]:
    """The payments whose money is not accounted for, each with a flag per kind."""
    flags = {
        f"is_{kind}": ExpressionWrapper(condition, output_field=BooleanField())
        for kind, (_, condition) in BREACHES.items()
    }
    return payments_ledger().filter(ANY_BREACH).annotate(**flags)


def payments_unaccounted_count() -> int:
    return payments_ledger().filter(ANY_BREACH).count()


def payments_audit() -> tuple[int, list[Breach]]:
    """How many payments with captured money were checked, and every breach found."""
    checked = Payment.objects.filter(captured_amount__isnull=False).count()
    breaches = [
        Breach(payment=payment, kind=kind)
        for payment in payments_breaching().order_by("created_at").iterator()
        for kind in BREACHES
        if getattr(payment, f"is_{kind}")
    ]
    return checked, breaches
