"""The waiting list of a full puja slot: join once, see your place, leave; a freed place is
held for the first in line, announced, booked through the normal checkout, or passed on."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from holds.models import Hold
from outbound.models import Event
from tests.conftest import client_for
from tests.documented import DocumentedClient
from tests.factories import (
    BookingFactory,
    PaymentFactory,
    PujaPackageFactory,
    UserFactory,
    VariantFactory,
    booking_cart_of,
)
from tests.flows import completed, create_payment, slot_body
from tests.guests.test_guest_checkout import CONTACT, start_guest
from tests.payments.gateways.phonepe.fakes import mock_pay, mock_status, mock_token, post_webhook
from tests.payments.gateways.razorpay.fakes import mock_order_create, mock_refunds
from waitlist.models import EntryStatus, WaitlistEntry
from waitlist.services import waitlist_offer_freed_places

pytestmark = pytest.mark.django_db
GUEST = {"email": "Gita@Example.com", "name": "Gita Menon"}


@pytest.fixture
def full():
    """A puja slot of one place, booked (paid) by its first devotee."""
    package = PujaPackageFactory()
    first = UserFactory()
    booking = BookingFactory(user=first, package=package, days=7)
    return {"package": package, "booking": booking, "first": client_for(first)}


def join(client, package, **extra):
    body = {k: v for k, v in slot_body(package).items() if k != "service_type"} | extra
    return client.post("/api/booking/waitlist/", body, format="json")


def cancel_first(full, rsps, capture):
    mock_refunds(rsps)
    with capture(execute=True):
        answer = full["first"].post(f"/api/booking/bookings/{full['booking'].pk}/cancel/")
    assert answer.status_code == 200, answer.content


def test_join_once_see_your_place_and_leave(full, settings):
    waiting = client_for(UserFactory())
    first = join(waiting, full["package"])
    assert first.status_code == 201, first.content
    entry = first.json()
    assert entry["status"] == "WAITING" and entry["position"] == 1 and len(entry["token"]) > 40
    again = join(waiting, full["package"])
    assert again.status_code == 200 and again.json()["id"] == entry["id"]
    guest = join(DocumentedClient(), full["package"], contact=GUEST)
    assert guest.status_code == 201 and guest.json()["position"] == 2
    # The same contact again gets its entry, but not its token: an email proves nothing.
    same = join(DocumentedClient(), full["package"], contact=GUEST | {"email": "gita@example.com"})
    assert same.status_code == 200 and "token" not in same.json()
    nobody = join(DocumentedClient(), full["package"])
    assert nobody.status_code == 400 and nobody.json()["error"].startswith("contact")
    settings.WAITLIST_PER_SLOT = 2
    capped = join(client_for(UserFactory()), full["package"])
    assert capped.status_code == 409 and "full" in capped.json()["error"]

    anyone = DocumentedClient()
    seen = anyone.get(f"/api/booking/waitlist/{guest.json()['token']}/").json()
    assert seen["status"] == "WAITING" and seen["position"] == 2 and seen["cart_id"] is None
    assert anyone.delete(f"/api/booking/waitlist/{entry['token']}/").status_code == 204
    assert anyone.get(f"/api/booking/waitlist/{guest.json()['token']}/").json()["position"] == 1
    left = anyone.get(f"/api/booking/waitlist/{entry['token']}/").json()
    assert left["status"] == "LEFT" and left["position"] is None
    assert anyone.get("/api/booking/waitlist/forged.token/").status_code == 404


def test_a_slot_with_room_is_booked_not_waited_for():
    package = PujaPackageFactory()
    answer = join(client_for(UserFactory()), package)
    assert answer.status_code == 409 and "book it" in answer.json()["error"]


def test_a_cancellation_offers_the_place_to_the_first_in_line_who_books_it(
    full, rsps, django_capture_on_commit_callbacks
):
    devotee = client_for(UserFactory(email="second@example.com"))
    token = join(devotee, full["package"]).json()["token"]
    later = join(DocumentedClient(), full["package"], contact=GUEST).json()["token"]
    mail.outbox.clear()
    cancel_first(full, rsps, django_capture_on_commit_callbacks)

    offered = DocumentedClient().get(f"/api/booking/waitlist/{token}/").json()
    assert offered["status"] == "OFFERED" and offered["cart_id"]
    assert timezone.now() + timedelta(minutes=119) < timezone.datetime.fromisoformat(
        offered["offer_expires_at"]
    )
    (notice,) = [m for m in mail.outbox if m.subject.endswith("is cancelled")]
    assert full["booking"].book_id in notice.subject and "/manage/" in notice.body
    (offer,) = [m for m in mail.outbox if m.subject.startswith("A place is free")]
    assert offer.to == ["second@example.com"] and f"/waitlist/{token}" in offer.body
    assert Event.objects.filter(type="waitlist.offered").count() == 1
    assert DocumentedClient().get(f"/api/booking/waitlist/{later}/").json()["position"] == 1
    # Anyone else asking for the slot meanwhile is refused, as with any hold.
    stranger = join(client_for(UserFactory()), full["package"])
    assert stranger.status_code == 201  # they may wait, but not book
    cart = client_for(UserFactory()).post(
        "/api/cart/carts/", slot_body(full["package"]), format="json"
    )
    assert cart.status_code == 409

    mock_token(rsps)
    mock_pay(rsps)
    started = devotee.post("/api/payments/cart/", {"cart_id": offered["cart_id"]}, format="json")
    assert started.status_code == 201, started.content
    order = started.json()["data"]["payment_order"]
    mock_status(rsps, order["merchant_order_id"], "COMPLETED", order["amount"])
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(DocumentedClient(), completed(order)).status_code == 200
    booked = DocumentedClient().get(f"/api/booking/waitlist/{token}/").json()
    assert booked["status"] == "BOOKED"
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 1
    waitlist_offer_freed_places()
    assert WaitlistEntry.objects.get(status=EntryStatus.BOOKED).user.email == "second@example.com"


def test_a_guest_books_the_offer_with_its_waitlist_token(
    full, rsps, django_capture_on_commit_callbacks
):
    token = join(DocumentedClient(), full["package"], contact=GUEST).json()["token"]
    cancel_first(full, rsps, django_capture_on_commit_callbacks)
    guest = DocumentedClient()
    guest.credentials(HTTP_X_WAITLIST_TOKEN=token)
    cart_id = guest.get(f"/api/booking/waitlist/{token}/").json()["cart_id"]
    mock_token(rsps)
    mock_pay(rsps)
    started = guest.post("/api/payments/cart/", {"cart_id": cart_id}, format="json")
    assert started.status_code == 201, started.content
    order = started.json()["data"]["payment_order"]
    mock_status(rsps, order["merchant_order_id"], "COMPLETED", order["amount"])
    assert post_webhook(DocumentedClient(), completed(order)).status_code == 200
    booking = Booking.objects.get(status=BookingStatus.CONFIRMED)
    assert booking.user.is_guest and booking.user.contact_email == "gita@example.com"
    wrong = DocumentedClient()
    wrong.credentials(HTTP_X_WAITLIST_TOKEN="forged.token")
    assert wrong.get("/api/cart/carts/").status_code == 404


def test_an_offer_not_taken_in_time_passes_to_the_next(
    full, rsps, django_capture_on_commit_callbacks
):
    first = join(client_for(UserFactory()), full["package"]).json()["token"]
    second = join(client_for(UserFactory()), full["package"]).json()["token"]
    cancel_first(full, rsps, django_capture_on_commit_callbacks)
    WaitlistEntry.objects.filter(status=EntryStatus.OFFERED).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist_offer_freed_places() == 1
    client = DocumentedClient()
    assert client.get(f"/api/booking/waitlist/{first}/").json()["status"] == "EXPIRED"
    assert client.get(f"/api/booking/waitlist/{second}/").json()["status"] == "OFFERED"
    assert Event.objects.filter(type="waitlist.offered").count() == 2


def test_leaving_with_an_offer_passes_it_on(full, rsps, django_capture_on_commit_callbacks):
    first = join(client_for(UserFactory()), full["package"]).json()["token"]
    second = join(client_for(UserFactory()), full["package"]).json()["token"]
    cancel_first(full, rsps, django_capture_on_commit_callbacks)
    client = DocumentedClient()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/booking/waitlist/{first}/").status_code == 204
    assert client.get(f"/api/booking/waitlist/{second}/").json()["status"] == "OFFERED"
    assert Hold.objects.filter(payment__isnull=True).count() == 1


def test_a_place_freed_by_a_lapsed_hold_is_offered_by_the_next_sweep():
    package = PujaPackageFactory()
    holder = UserFactory()
    PaymentFactory(cart=booking_cart_of(holder, package=package, days=7))  # holds the place
    token = join(client_for(UserFactory()), package).json()["token"]
    assert waitlist_offer_freed_places() == 0
    Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert waitlist_offer_freed_places() == 1
    assert DocumentedClient().get(f"/api/booking/waitlist/{token}/").json()["status"] == "OFFERED"


def test_a_guest_with_a_cart_token_waits_under_the_contact_it_named_before(full, rsps):
    mock_order_create(rsps)
    guest, _ = start_guest(VariantFactory())
    assert create_payment(guest, contact=CONTACT).status_code == 201  # named Meera
    entry = join(guest, full["package"])
    assert entry.status_code == 201, entry.content
    assert WaitlistEntry.objects.get().person == "meera@example.com"
    again = join(guest, full["package"])
    assert again.status_code == 200 and again.json()["token"] == entry.json()["token"]


def test_a_withdrawn_service_does_not_keep_the_other_slots_from_being_offered():
    entries = {}
    for name in ("withdrawn", "open"):
        package = PujaPackageFactory()
        PaymentFactory(cart=booking_cart_of(UserFactory(), package=package, days=7))  # holds it
        entries[name] = join(client_for(UserFactory()), package).json()["token"]
        if name == "withdrawn":
            package.service.is_active = False
            package.service.save()
    Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert waitlist_offer_freed_places() == 1
    client = DocumentedClient()
    assert client.get(f"/api/booking/waitlist/{entries['open']}/").json()["status"] == "OFFERED"
    assert client.get(f"/api/booking/waitlist/{entries['withdrawn']}/").json()["status"] == (
        "WAITING"
    )


def test_an_offer_whose_email_job_was_lost_is_announced_by_the_next_sweep_once(
    django_capture_on_commit_callbacks,
):
    package = PujaPackageFactory()
    PaymentFactory(cart=booking_cart_of(UserFactory(), package=package, days=7))
    join(client_for(UserFactory(email="waiting@example.com")), package)
    Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert waitlist_offer_freed_places() == 1  # its email job enqueued, then lost
    mail.outbox.clear()
    WaitlistEntry.objects.update(offered_at=timezone.now() - timedelta(minutes=2))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            waitlist_offer_freed_places()
    (offer,) = mail.outbox
    assert offer.to == ["waiting@example.com"] and offer.subject.startswith("A place is free")
