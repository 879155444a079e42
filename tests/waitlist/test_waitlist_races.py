"""The waiting list under concurrency, on PostgreSQL with real threads: joining devotees
get distinct places in line, two places freeing at once offer two entries (never one
twice), and a freed place is never both offered and sold to a stranger."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from holds.models import Hold
from holds.selectors import holds_active
from payments.models import Payment
from payments.services.devotee_cancel import booking_cancel_by_owner
from tests.conftest import client_for, run_concurrently
from tests.documented import api_schema
from tests.factories import (
    BookingFactory,
    PaymentFactory,
    PujaPackageFactory,
    PujaServiceFactory,
    UserFactory,
    booking_cart_of,
)
from tests.payments.gateways.phonepe.fakes import mock_pay, mock_token
from tests.payments.gateways.razorpay.fakes import mock_refunds
from tests.waitlist.test_waitlist import join
from waitlist.models import EntryStatus, WaitlistEntry
from waitlist.selectors import entry_position
from waitlist.services import waitlist_offer_freed_places

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_devotees_joining_at_once_get_fifty_distinct_places(settings):
    settings.WAITLIST_PER_SLOT = 50
    package = PujaPackageFactory()
    BookingFactory(package=package, days=7)
    devotees = [client_for(UserFactory()) for _ in range(50)]
    api_schema()  # built once, before the threads check their answers against it
    answers = run_concurrently(*[lambda d=d: join(d, package) for d in devotees])
    assert Counter(getattr(a, "status_code", repr(a)) for a in answers) == {201: 50}
    positions = sorted(a.json()["position"] for a in answers)
    # Each answer says where it stood when it joined; read again, the line is 1..50.
    assert len(set(positions)) == 50
    entries = WaitlistEntry.objects.order_by("pk")
    assert [entry_position(e) for e in entries] == list(range(1, 51))
    assert join(client_for(UserFactory()), package).status_code == 409  # the cap held


def test_two_places_freeing_at_once_offer_two_entries_never_one_twice(rsps):
    mock_refunds(rsps)
    service = PujaServiceFactory(slot_capacity=2)
    package = PujaPackageFactory(service=service)
    bookings = [BookingFactory(package=package, days=7) for _ in range(2)]
    for _ in range(3):
        assert join(client_for(UserFactory()), package).status_code == 201

    def cancel(booking: Booking) -> None:
        booking_cancel_by_owner(user=booking.user, booking_id=booking.pk)

    results = run_concurrently(
        *[lambda b=b: cancel(b) for b in bookings],
        waitlist_offer_freed_places,
        waitlist_offer_freed_places,
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    waitlist_offer_freed_places()  # the sweep after it all (beat's)
    offered = WaitlistEntry.objects.filter(status=EntryStatus.OFFERED)
    assert offered.count() == 2 and len({e.cart_id for e in offered}) == 2
    first_two = list(WaitlistEntry.objects.order_by("pk")[:2])
    assert set(offered) == set(first_two)  # the first in line, in order
    assert holds_active().filter(payment__isnull=True).count() == 2
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 0


def test_a_freed_place_is_never_both_offered_and_sold_to_a_stranger(rsps):
    mock_token(rsps)
    mock_pay(rsps)
    package = PujaPackageFactory()
    stranger = UserFactory()
    stranger_cart = booking_cart_of(stranger, package=package, days=7)  # while it was free
    PaymentFactory(cart=booking_cart_of(UserFactory(), package=package, days=7))  # holds it
    assert join(client_for(UserFactory()), package).status_code == 201
    Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))  # the hold runs out

    def stranger_pays():
        return client_for(stranger).post(
            "/api/payments/cart/", {"cart_id": stranger_cart.cart_id}, format="json"
        )

    offers, paid = run_concurrently(waitlist_offer_freed_places, stranger_pays)
    offered = WaitlistEntry.objects.filter(status=EntryStatus.OFFERED).count()
    sold = Payment.objects.filter(cart=stranger_cart).count()
    assert offered + sold == 1, (offers, getattr(paid, "status_code", paid))
    assert holds_active().filter(slot__isnull=False).count() == 1
