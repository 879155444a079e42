"""Staff change a booking only through services that keep the ledger: its status, slot and
package are read-only on its change form; it is moved by the reschedule action (the new
slot's lock and capacity), cancelled by a refund; a booking cancelled while its money was
kept is a breach of the ledger."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from payments.ledger import payments_audit
from payments.models import PaymentStatus
from tests.factories import BookingFactory, PujaPackageFactory, PujaServiceFactory

from ..payments.conftest import act

pytestmark = pytest.mark.django_db


def reschedule(staff, booking, day, at="11:00"):
    return act(
        staff,
        "bookings/booking",
        "reschedule",
        booking.pk,
        apply="1",
        selected_date=day.isoformat(),
        selected_time=at,
    )


def messages_of(page) -> str:
    return " ".join(str(message) for message in page.context["messages"])


def test_the_change_form_cannot_cancel_move_or_reprice_a_booking(staff):
    booking = BookingFactory()
    form = staff.get(f"/admin/bookings/booking/{booking.pk}/change/")
    assert form.status_code == 200
    for field in ("status", "selected_date", "selected_time", "package", "puja_service"):
        assert f'name="{field}"' not in form.content.decode(), field
    other = PujaPackageFactory(service=booking.puja_service)
    staff.post(
        f"/admin/bookings/booking/{booking.pk}/change/",
        {
            "status": BookingStatus.CANCELLED,
            "selected_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
            "selected_time": "06:00",
            "package": other.pk,
        },
    )
    before = (booking.status, booking.selected_date, booking.selected_time, booking.package_id)
    booking.refresh_from_db()
    assert (
        booking.status,
        booking.selected_date,
        booking.selected_time,
        booking.package_id,
    ) == before
    assert booking.status == BookingStatus.CONFIRMED


def test_staff_move_a_paid_booking_to_a_free_slot_and_its_payment_stands(staff):
    booking = BookingFactory()
    day = booking.selected_date + timedelta(days=2)
    page = reschedule(staff, booking, day)
    assert "1 booking(s) moved" in messages_of(page)
    booking.refresh_from_db()
    assert (booking.selected_date, booking.selected_time) == (day, time(11, 0))
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payment.status == PaymentStatus.SUCCESS
    assert not booking.payment.refunds.exists()
    assert payments_audit()[1] == []


def test_a_booking_is_not_moved_into_a_full_slot_or_one_already_begun(staff):
    service = PujaServiceFactory(slot_capacity=1)
    booking = BookingFactory(package=PujaPackageFactory(service=service), days=7)
    taken = BookingFactory(package=PujaPackageFactory(service=service), days=9)
    full = reschedule(staff, booking, taken.selected_date, at="10:00")
    assert full.status_code == 200 and "already booked" in messages_of(full)
    past = reschedule(staff, booking, timezone.localdate() - timedelta(days=1))
    assert past.status_code == 200 and "already begun" in messages_of(past)
    booking.refresh_from_db()
    assert booking.selected_date == timezone.localdate() + timedelta(days=7)
    # Nothing staff did makes the audit think the booking was paid for a slot already past.
    assert payments_audit()[1] == []


def test_a_cancelled_booking_cannot_be_moved(staff):
    booking = BookingFactory(state="CANCELLED")
    page = reschedule(staff, booking, booking.selected_date + timedelta(days=1))
    assert "only a confirmed one moves" in messages_of(page)


def test_staff_cancel_a_paid_booking_by_refunding_it_in_full(staff, rsps):
    from tests.payments.gateways.razorpay.fakes import mock_refunds

    mock_refunds(rsps)
    booking = BookingFactory()
    page = act(staff, "bookings/booking", "refund_in_full", booking.pk, apply="1", reason="ill")
    assert "1 refund(s) requested" in messages_of(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


@pytest.mark.ledger_breach("cancelled_but_kept")
def test_a_booking_cancelled_while_its_money_was_kept_is_a_breach():
    booking = BookingFactory()
    # What the editable status used to allow: cancelled, nothing refunded.
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    _, breaches = payments_audit()
    assert [(b.kind, b.payment.pk) for b in breaches] == [
        ("cancelled_but_kept", booking.payment_id)
    ]
