"""A shopper in a real browser (Debian's Chromium) against a live server whose providers
are the local sandbox: the demo storefront, the hosted pay pages, webhooks and redirects
all run for real."""

import re

import pytest
from playwright.sync_api import Page, expect

from bookings.models import Booking
from cart.models import CartItem
from catalog.models import ProductVariant
from orders.models import Order, OrderStatus
from payments.models import Payment, PaymentStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def open_shop(page: Page, site: str) -> None:
    page.goto(f"{site}/demo/")
    page.get_by_test_id("login").click()
    expect(page.get_by_test_id("who")).to_have_text("Logged in as demo@example.com")


def add(page: Page, sku: str) -> None:
    page.get_by_test_id(f"add-{sku}").click()
    expect(page.get_by_test_id("result")).to_have_text("Added to cart.")


def test_shopper_pays_with_razorpay_and_sees_the_order(page, sandbox_site):
    open_shop(page, sandbox_site)
    add(page, "DIYA-S")
    add(page, "INC-100")
    expect(page.get_by_test_id("cart-count")).to_have_text("2")
    page.get_by_test_id("pay-razorpay").click()
    expect(page.get_by_test_id("amount")).to_have_text("448.00 INR")
    page.get_by_test_id("sandbox-pay").click()

    result = page.get_by_test_id("result")
    expect(result).to_have_text(re.compile(r"Order confirmed: \d{12,}"))
    number = result.inner_text().rsplit(" ", 1)[1]
    expect(page.get_by_test_id("orders")).to_contain_text(number)
    expect(page.get_by_test_id("cart-count")).to_have_text("0")
    order = Order.objects.get(order_number=number)
    assert order.status == OrderStatus.PAYMENT_CONFIRMED and str(order.total) == "448.00"
    assert Payment.objects.get(order=order).status == PaymentStatus.SUCCESS


def test_shopper_books_a_puja_with_phonepe_and_sees_the_booking(page, sandbox_site):
    open_shop(page, sandbox_site)
    page.get_by_test_id("book-phonepe").click()
    expect(page.get_by_test_id("amount")).to_have_text("999.00 INR")
    page.get_by_test_id("sandbox-pay").click()

    expect(page).to_have_url(
        re.compile(r"/demo/confirmbooking\?redirect_source=phonepe&merchant_order_id=MO")
    )
    result = page.get_by_test_id("result")
    expect(result).to_have_text(re.compile(r"Booking confirmed: BK-[0-9A-F]{8}"))
    book_id = result.inner_text().rsplit(" ", 1)[1]
    expect(page.get_by_test_id("bookings")).to_contain_text(book_id)
    assert Booking.objects.get(book_id=book_id).status == "CONFIRMED"


def test_shopper_pays_with_stripe_and_sees_the_confirmed_order(page, sandbox_site):
    open_shop(page, sandbox_site)
    add(page, "MALA-5")
    page.get_by_test_id("pay-stripe").click()
    expect(page.get_by_test_id("amount")).to_have_text("899.00 INR")
    page.get_by_test_id("sandbox-pay").click()

    expect(page).to_have_url(re.compile(r"/demo/order-success/\d+"))
    expect(page.get_by_test_id("result")).to_have_text(
        re.compile(r"Order \d{12,}: payment_confirmed")
    )
    order = Order.objects.get()
    assert order.status == OrderStatus.PAYMENT_CONFIRMED
    # The address Stripe collected is kept beside the one the shopper posted.
    assert order.provider_shipping_address["city"] == "Pune"
    assert order.shipping_address and order.billing_address


@pytest.mark.parametrize("flow", ["pay-razorpay", "pay-phonepe"])
def test_a_failed_payment_leaves_the_cart_intact(page, sandbox_site, flow):
    open_shop(page, sandbox_site)
    add(page, "DIYA-L")
    page.get_by_test_id(flow).click()
    page.get_by_test_id("sandbox-fail").click()

    expect(page.get_by_test_id("result")).to_have_text("Payment failed. Your cart is unchanged.")
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    assert not Order.objects.exists()
    assert CartItem.objects.get().quantity == 1
    assert Payment.objects.get().status == PaymentStatus.FAILED


def test_staff_log_into_admin_and_find_the_order_by_number(page, sandbox_site):
    open_shop(page, sandbox_site)
    add(page, "DIYA-S")
    page.get_by_test_id("pay-razorpay").click()
    page.get_by_test_id("sandbox-pay").click()
    expect(page.get_by_test_id("result")).to_have_text(re.compile(r"Order confirmed"))
    number = Order.objects.get().order_number

    page.goto(f"{sandbox_site}/admin/")
    page.fill("#id_username", "admin@example.com")
    page.fill("#id_password", "admin-pass-123")
    page.click("input[type=submit]")
    page.goto(f"{sandbox_site}/admin/orders/order/")
    page.fill("#searchbar", number)
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list")).to_contain_text(number)
    expect(page.locator("#result_list")).to_contain_text("demo@example.com")


def second_shopper(browser, site: str) -> Page:
    """Another shopper, in a browser of their own."""
    UserFactory(email="second@example.com")
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{site}/demo/")
    page.fill("#email", "second@example.com")
    page.fill("#password", "secret-pass-123")
    page.get_by_test_id("login").click()
    expect(page.get_by_test_id("who")).to_have_text("Logged in as second@example.com")
    return page


def test_a_second_shopper_sees_the_last_unit_is_held_and_when_to_try_again(
    page, browser, sandbox_site
):
    ProductVariant.objects.filter(sku="DIYA-S").update(stock=1)
    open_shop(page, sandbox_site)
    add(page, "DIYA-S")
    page.get_by_test_id("pay-razorpay").click()  # on Razorpay's page, paying: the unit is held
    expect(page.get_by_test_id("sandbox-pay")).to_be_visible()

    other = second_shopper(browser, sandbox_site)
    expect(other.get_by_test_id("available-DIYA-S")).to_have_text("0 available (1 in stock)")
    add(other, "DIYA-S")
    other.get_by_test_id("pay-razorpay").click()
    refusal = other.get_by_test_id("result")
    expect(refusal).to_contain_text("held by another shopper's checkout")
    expect(refusal).to_contain_text(re.compile(r"Free again at \d{1,2}:\d{2}"))
    assert Payment.objects.count() == 1

    page.get_by_test_id("sandbox-pay").click()  # the first shopper pays: theirs
    expect(page.get_by_test_id("result")).to_have_text(re.compile(r"Order confirmed"))
    other.context.close()


def test_a_second_devotee_sees_the_slot_is_held_while_another_pays(page, browser, sandbox_site):
    open_shop(page, sandbox_site)
    page.get_by_test_id("book-phonepe").click()
    expect(page.get_by_test_id("sandbox-pay")).to_be_visible()

    other = second_shopper(browser, sandbox_site)
    expect(other.get_by_test_id("availability")).to_contain_text("10:00 0 of 1 free (held until")
    other.get_by_test_id("book-phonepe").click()
    refusal = other.get_by_test_id("result")
    expect(refusal).to_contain_text("held by another devotee's checkout")
    expect(refusal).to_contain_text("Free again at")
    assert not Booking.objects.exists()
    other.context.close()


def test_staff_take_a_phone_booking_with_a_link_the_devotee_pays_and_logs_in(
    browser, page, sandbox_site
):
    """Staff make a payment link in admin; the devotee (no account yet) opens its short
    URL on the phone, pays, sets a password from the emailed link and sees the booking."""
    from django.core import mail

    page.goto(f"{sandbox_site}/admin/login/?next=/admin/payments/paymentlink/add/")
    page.fill("#id_username", "admin@example.com")
    page.fill("#id_password", "admin-pass-123")
    page.click("input[type=submit]")
    page.fill("#id_email", "ravi.phone@example.com")
    page.fill("#id_name", "Ravi Kumar")
    page.fill("#id_phone", "9000000002")
    page.select_option("#id_package", index=1)
    page.fill("#id_selected_date", "2031-02-10")
    page.fill("#id_selected_time", "09:30")
    page.get_by_role("button", name="Make the link").click()
    expect(page.locator(".messagelist")).to_contain_text("Payment link plink_")
    short_url = page.locator("a[href*='/sandbox/razorpay/l/']").first.get_attribute("href")

    phone = browser.new_context().new_page()
    phone.goto(short_url)
    phone.get_by_test_id("sandbox-pay").click()
    expect(phone).to_have_url(re.compile(r"/demo/confirmbooking\?payment_id="))
    expect(phone.get_by_test_id("result")).to_have_text(re.compile("Payment received"))
    booking = Booking.objects.get(user__email="ravi.phone@example.com")
    assert booking.status == "CONFIRMED" and str(booking.selected_time) == "09:30:00"

    phone.goto(f"{sandbox_site}/demo/")
    phone.fill("#email", "ravi.phone@example.com")
    phone.get_by_test_id("forgot").click()
    expect(phone.get_by_test_id("result")).to_contain_text("on its way")
    reset = re.search(r"http\S+/reset-password\?\S+", mail.outbox[-1].body).group(0)
    phone.goto(reset)
    phone.get_by_test_id("new-password").fill("ravi-phone-pass-31")
    phone.get_by_test_id("set-password").click()
    expect(phone.get_by_test_id("result")).to_have_text("Your password is set. Log in with it.")
    phone.goto(f"{sandbox_site}/demo/")
    phone.fill("#email", "ravi.phone@example.com")
    phone.fill("#password", "ravi-phone-pass-31")
    phone.get_by_test_id("login").click()
    expect(phone.get_by_test_id("bookings")).to_contain_text(booking.book_id)
