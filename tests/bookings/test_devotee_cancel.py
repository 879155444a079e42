"""A devotee cancels their own booking within its package's policy: a quote first, then the
booking cancelled, its slot free and the price less the fee refunded, once."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from outbound.models import Event
from payments.disputes.services import dispute_record
from payments.gateways.base import DisputeReport, DisputeState, RefundResult, RefundState
from payments.models import PaymentStatus, Refund
from payments.services.refunds import refund_record
from tests.factories import BookingFactory, PujaPackageFactory

pytestmark = pytest.mark.django_db


def _slot(booking: Booking) -> datetime:
    return timezone.make_aware(datetime.combine(booking.selected_date, booking.selected_time))


@pytest.fixture
def booking(user):
    package = PujaPackageFactory(price=Decimal("999.00"), cancel_fee_percent=Decimal("10"))
    return BookingFactory(user=user, package=package, days=7)


def test_the_quote_says_until_when_and_what_comes_back(api, booking):
    quote = api.get(f"/api/booking/bookings/{booking.pk}/cancel/").json()
    assert quote["allowed"] is True and "reason" not in quote
    assert datetime.fromisoformat(quote["until"]) == _slot(booking) - timedelta(hours=24)
    assert (quote["fee"], quote["refund_amount"]) == ("99.90", "899.10")


def test_cancelling_frees_the_slot_and_refunds_the_price_less_the_fee_once(api, booking):
    first = api.post(f"/api/booking/bookings/{booking.pk}/cancel/")
    assert first.status_code == 200
    body = first.json()
    assert body["booking"]["status"] == BookingStatus.CANCELLED
    assert body["refund"]["amount"] == "899.10"
    assert Event.objects.filter(type="booking.cancelled").count() == 1
    again = api.post(f"/api/booking/bookings/{booking.pk}/cancel/")
    assert again.status_code == 200 and again.json()["refund"]["id"] == body["refund"]["id"]
    assert Refund.objects.filter(payment=booking.payment).count() == 1
    listing = api.get(f"/api/booking/services/{booking.puja_service_id}/").json()
    assert listing["packages"][0]["cancel_fee_percent"] == "10.00"


def test_the_terms_are_those_of_when_it_was_paid(api, booking):
    booking.package.cancel_fee_percent = Decimal("50")
    booking.package.cancel_until_hours = 24 * 30
    booking.package.save()
    quote = api.get(f"/api/booking/bookings/{booking.pk}/cancel/").json()
    assert quote["allowed"] is True and quote["fee"] == "99.90"


def test_after_the_cut_off_the_answer_is_422_naming_until(api, user):
    package = PujaPackageFactory(cancel_until_hours=24 * 10)
    late = BookingFactory(user=user, package=package, days=7)
    answer = api.post(f"/api/booking/bookings/{late.pk}/cancel/")
    assert answer.status_code == 422 and "until" in answer.json()
    assert datetime.fromisoformat(answer.json()["until"]) == _slot(late) - timedelta(days=10)
    late.refresh_from_db()
    assert late.status == BookingStatus.CONFIRMED and not Refund.objects.exists()


def test_while_a_dispute_is_open_the_answer_is_409_and_nothing_changes(api, booking):
    payment = booking.payment
    report = DisputeReport(
        provider_dispute_id="disp_OPEN1", provider_payment_id=payment.provider_payment_id,
        state=DisputeState.OPEN, amount=99900, currency="INR", amount_deducted=0,
    )  # fmt: skip
    dispute_record(provider=payment.provider, report=report, what="test")
    answer = api.post(f"/api/booking/bookings/{booking.pk}/cancel/")
    assert answer.status_code == 409 and answer.json()["error"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and not Refund.objects.exists()


def test_someone_elses_booking_is_not_found(api, other_user):
    theirs = BookingFactory(user=other_user)
    assert api.get(f"/api/booking/bookings/{theirs.pk}/cancel/").status_code == 404
    assert api.post(f"/api/booking/bookings/{theirs.pk}/cancel/").status_code == 404


def test_asked_again_after_the_money_is_back_the_answer_is_the_same(api, user):
    booking = BookingFactory(user=user, package=PujaPackageFactory())  # no fee: all goes back
    first = api.post(f"/api/booking/bookings/{booking.pk}/cancel/").json()
    result = RefundResult(
        state=RefundState.PROCESSED, provider_refund_id="rfnd_BACK", reason=""
    )  # fmt: skip
    refund_record(refund_id=first["refund"]["id"], result=result)
    booking.payment.refresh_from_db()
    assert booking.payment.status == PaymentStatus.REFUNDED
    again = api.post(f"/api/booking/bookings/{booking.pk}/cancel/")
    assert again.status_code == 200 and again.json()["refund"]["id"] == first["refund"]["id"]
    assert again.json()["refund"]["status"] == "PROCESSED"
