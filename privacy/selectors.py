"""What is held about a person, and what keeps an erasure waiting."""

from django.apps import apps
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from config.personal_data import personal_data_declared
from payments.models import (
    OPEN_DISPUTE_STATUSES,
    OPEN_PAYMENT_STATUSES,
    Dispute,
    Payment,
    Refund,
    RefundStatus,
)


def person_data(user_id: int) -> dict[str, list[dict]]:
    """Every declared table's rows about the person, with the fields declared personal
    and those shown beside them: each app's part, from its declaration."""
    held: dict[str, list[dict]] = {}
    for declared in personal_data_declared():
        named = (*declared.shown, *declared.fields, *declared.json_fields)
        named += declared.scrubbed_json_fields
        if not declared.person or not named:
            continue
        model = apps.get_model(declared.model)
        rows = model.objects.filter(**{declared.person: user_id}).order_by("pk")
        if found := [{"id": str(pk), **row} for pk, row in _values(rows, named)]:
            held[declared.model] = found
    return held


def _values(rows, named):
    for row in rows.values("pk", *named):
        pk = row.pop("pk")
        yield pk, row


def erasure_blockers(user_id: int) -> list[str]:
    """What must end before the person's data can go: money still moving, or a booking
    still to come (cancel it first)."""
    open_things = []
    payments = Payment.objects.filter(user_id=user_id)
    if Dispute.objects.filter(payment__in=payments, status__in=OPEN_DISPUTE_STATUSES).exists():
        open_things.append("a dispute of a payment is open: the bank decides first")
    if Refund.objects.filter(payment__in=payments, status=RefundStatus.REQUESTED).exists():
        open_things.append("a refund is on its way back")
    future = Booking.objects.filter(
        user_id=user_id, status=BookingStatus.CONFIRMED, selected_date__gte=timezone.localdate()
    )
    if future.exists():
        open_things.append("a booking is still to come: cancel it first")
    under_way = payments.filter(status__in=OPEN_PAYMENT_STATUSES)
    if under_way.filter(link__isnull=False).exists():
        open_things.append("a payment link is unpaid")
    elif under_way.exists():
        open_things.append("a payment is under way")
    return open_things
