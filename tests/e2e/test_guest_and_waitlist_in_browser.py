"""The devotee's own booking in a real browser against the sandbox: book as a guest, open
the manage link from the email and cancel; fill a slot, join its waiting list in a private
window, cancel the first booking, book from the offer."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from bookings.models import Booking, BookingStatus
from waitlist.models import EntryStatus, WaitlistEntry
from waitlist.services import waitlist_offer_freed_places

pytestmark = pytest.mark.django_db(transaction=True)
LINK = re.compile(r"https?://\S+/demo/(?:manage|waitlist)/\S+")


def link_mailed_to(email: str, subject_start: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [email] and m.subject.startswith(subject_start)]
    return LINK.search(message.body).group(0)


def book_with_phonepe(page: Page, button: str = "book-phonepe") -> str:
    page.get_by_test_id(button).click()
    expect(page.get_by_test_id("amount")).to_have_text("999.00 INR")
    page.get_by_test_id("sandbox-pay").click()
    result = page.get_by_test_id("result")
    expect(result).to_have_text(re.compile(r"Booking confirmed: BK-[0-9A-F]{8}"))
    return result.inner_text().rsplit(" ", 1)[1]


def as_guest(page: Page, name: str, email: str) -> None:
    page.fill("#contact-name", name)
    page.fill("#contact-email", email)


def test_a_guest_books_opens_the_manage_link_from_the_email_and_cancels(page, sandbox_site):
    page.goto(f"{sandbox_site}/demo/")
    as_guest(page, "Meera Nair", "meera@example.com")
    book_id = book_with_phonepe(page)
    booking = Booking.objects.get(book_id=book_id)
    assert booking.user.is_guest and booking.user.contact_email == "meera@example.com"

    page.goto(link_mailed_to("meera@example.com", "Your puja booking"))
    expect(page.get_by_test_id("manage-what")).to_contain_text(f"{book_id}: Ganesh Puja")
    expect(page.get_by_test_id("manage-terms")).to_contain_text("₹999.00 comes back")
    page.get_by_test_id("manage-cancel").click()
    expect(page.get_by_test_id("result")).to_have_text("Cancelled. ₹999.00 is on its way back.")
    expect(page.get_by_test_id("manage-terms")).to_have_text("The booking is already cancelled.")
    assert Booking.objects.get(book_id=book_id).status == BookingStatus.CANCELLED


def test_a_full_slots_waiting_list_offers_the_freed_place_to_a_guest_who_books_it(
    page, browser, sandbox_site
):
    page.goto(f"{sandbox_site}/demo/")
    page.get_by_test_id("login").click()
    expect(page.get_by_test_id("who")).to_have_text("Logged in as demo@example.com")
    first = book_with_phonepe(page)

    private = browser.new_context().new_page()  # another devotee, in a window of their own
    private.goto(f"{sandbox_site}/demo/")
    as_guest(private, "Gita Menon", "gita@example.com")
    private.get_by_test_id("book-phonepe").click()
    expect(private.get_by_test_id("result")).to_contain_text("already booked")
    private.get_by_test_id("join-waitlist").click()
    expect(private.get_by_test_id("waitlist-state")).to_contain_text("number 1 in line")

    page.goto(link_mailed_to("demo@example.com", "Your puja booking"))
    page.get_by_test_id("manage-cancel").click()
    expect(page.get_by_test_id("result")).to_contain_text("Cancelled.")

    offer = link_mailed_to("gita@example.com", "A place is free")
    assert offer.endswith(private.url.rsplit("/demo/", 1)[1])
    private.reload()
    expect(private.get_by_test_id("waitlist-state")).to_contain_text("A place is held for you")
    second = book_with_phonepe(private, "waitlist-book")
    assert second != first
    booking = Booking.objects.get(book_id=second)
    assert booking.status == BookingStatus.CONFIRMED and booking.user.is_guest
    private.goto(offer)
    expect(private.get_by_test_id("waitlist-state")).to_have_text("Booked.")
    waitlist_offer_freed_places()  # beat's next sweep records it
    assert WaitlistEntry.objects.get().status == EntryStatus.BOOKED
