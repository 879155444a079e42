"""The one fulfilment service, branch by branch, called as verify, webhooks, status polls
and reconciliation call it: a payment the checkout service started, a charge as the
provider reports it. Whatever cannot be built leaves nothing half-made and the money owed
back; whatever was built once is never built again."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from cart.models import CartStatus
from orders.models import Order, OrderStatus
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from payments.services.fulfilment import payment_fulfil
from tests.factories import (
    CouponFactory,
    PaymentFactory,
    PujaPackageFactory,
    UserFactory,
    VariantFactory,
    booking_cart_of,
    paid_charge,
    shop_cart_of,
)

pytestmark = pytest.mark.django_db


def fulfil(payment, **charge):
    return payment_fulfil(payment_id=payment.pk, charge=paid_charge(payment, **charge))


def owed_back(payment) -> list[tuple[str, Decimal]]:
    return [(r.provider_payment_id, r.amount) for r in Refund.objects.filter(payment=payment)]


def test_a_paid_shop_payment_builds_its_order_takes_stock_and_empties_the_cart(
    django_capture_on_commit_callbacks, mailoutbox
):
    user, variant = UserFactory(), VariantFactory(price="150.00", stock=5)
    cart = shop_cart_of(user, variant=variant, quantity=2)
    payment = PaymentFactory(cart=cart)
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment = fulfil(payment)
    order = fulfilment.order
    assert order.status == OrderStatus.PAYMENT_CONFIRMED and order.total == Decimal("300.00")
    assert [(i.variant_id, i.quantity) for i in order.items.all()] == [(variant.pk, 2)]
    variant.refresh_from_db()
    assert variant.stock == 3
    assert not cart.items.exists() and cart.status == CartStatus.ACTIVE
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCESS and payment.fulfilled_at
    assert payment.captured_amount == Decimal("300.00") and not payment.needs_attention
    assert [m.to for m in mailoutbox] == [[user.email]]  # the receipt, once
    assert owed_back(payment) == []


def test_a_paid_booking_payment_confirms_the_booking_and_converts_its_cart():
    user = UserFactory()
    cart = booking_cart_of(user, package=PujaPackageFactory(price="999.00"))
    fulfilment = fulfil(PaymentFactory(cart=cart))
    (booking,) = fulfilment.bookings
    assert booking.status == BookingStatus.CONFIRMED and booking.user == user
    assert fulfilment.booking_ids == [booking.book_id] and fulfilment.order is None
    cart.refresh_from_db()
    assert cart.status == CartStatus.CONVERTED


def test_the_same_success_twice_builds_once():
    payment = PaymentFactory()
    first, second = fulfil(payment), fulfil(payment)
    assert first.order == second.order
    assert Order.objects.count() == 1 and owed_back(payment) == []


def test_money_other_than_asked_is_never_built_on_and_goes_back_with_the_coupon_use():
    coupon = CouponFactory(usage_limit=5)
    payment = PaymentFactory(coupon_code=coupon.code)
    coupon.refresh_from_db()
    assert coupon.times_used == 1
    fulfilment = fulfil(payment, amount=payment.amount - Decimal("1.00"))
    assert fulfilment.needs_attention and fulfilment.order is None
    assert "Paid" in fulfilment.payment.attention_reason
    assert not Order.objects.exists()
    assert owed_back(payment) == [(f"pay_{payment.pk.hex[:14]}", payment.amount - 1)]
    coupon.refresh_from_db()
    assert coupon.times_used == 0


def test_a_second_capture_of_a_settled_razorpay_order_is_refunded_and_changes_nothing():
    payment = PaymentFactory(state="paid")
    order = payment.order
    again = fulfil(payment, provider_payment_id="pay_SECONDCAPTURE")
    assert again.order == order and Order.objects.count() == 1
    assert ("pay_SECONDCAPTURE", payment.amount) in owed_back(payment)
    assert len(owed_back(payment)) == 1  # the first capture stays paid for


def test_a_second_payment_of_an_already_paid_cart_is_a_duplicate_refunded_in_full():
    user = UserFactory()
    cart = shop_cart_of(user, quantity=1)
    older, newer = PaymentFactory(cart=cart), PaymentFactory(cart=cart)
    assert not fulfil(newer).needs_attention
    duplicate = fulfil(older)
    assert duplicate.needs_attention and "Duplicate" in duplicate.payment.attention_reason
    assert Order.objects.count() == 1
    assert owed_back(older) == [(f"pay_{older.pk.hex[:14]}", older.amount)]


def test_stock_gone_meanwhile_rolls_the_order_back_and_refunds(settings):
    settings.CHECKOUT_HOLD_SECONDS = 0  # nothing held: a sale elsewhere can take the units
    variant = VariantFactory(stock=1)
    cart = shop_cart_of(UserFactory(), variant=variant)
    payment = PaymentFactory(cart=cart)
    fulfil(PaymentFactory(cart=shop_cart_of(UserFactory(), variant=variant)))
    fulfilment = fulfil(payment)
    assert fulfilment.needs_attention and "out of stock" in fulfilment.payment.attention_reason
    assert Order.objects.count() == 1  # the other shopper's; nothing half-made here
    variant.refresh_from_db()
    assert variant.stock == 0
    assert cart.items.get().quantity == 1  # the shopper keeps the line: nothing was sold
    assert owed_back(payment) == [(f"pay_{payment.pk.hex[:14]}", payment.amount)]


def test_a_slot_taken_meanwhile_is_refunded_not_double_booked(settings):
    settings.CHECKOUT_HOLD_SECONDS = 0
    package = PujaPackageFactory()
    late = PaymentFactory(cart=booking_cart_of(UserFactory(), package=package))
    fulfil(PaymentFactory(cart=booking_cart_of(UserFactory(), package=package)))
    fulfilment = fulfil(late)
    assert fulfilment.needs_attention and fulfilment.bookings == []
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 1
    assert owed_back(late) == [(f"pay_{late.pk.hex[:14]}", late.amount)]


def test_a_slot_that_began_while_the_devotee_paid_is_refunded_not_booked():
    payment = PaymentFactory(cart=booking_cart_of(UserFactory()))
    # The clock moved past the slot while the pay page was open.
    snapshot = payment.cart_snapshot
    snapshot["lines"][0]["selected_date"] = (timezone.localdate() - timedelta(days=1)).isoformat()
    Payment.objects.filter(pk=payment.pk).update(cart_snapshot=snapshot)
    fulfilment = fulfil(payment)
    assert fulfilment.needs_attention and "began before" in fulfilment.payment.attention_reason
    assert not Booking.objects.exists()
    assert owed_back(payment) == [(f"pay_{payment.pk.hex[:14]}", payment.amount)]


@pytest.mark.parametrize("state", ["failed", "expired"])
def test_a_lapsed_checkout_paid_later_is_fulfilled_at_unchanged_prices(state):
    payment = PaymentFactory(state=state)
    fulfilment = fulfil(payment)
    assert not fulfilment.needs_attention and fulfilment.order.total == payment.amount


def test_a_lapsed_checkout_paid_after_a_price_rise_is_refunded():
    variant = VariantFactory(price="100.00")
    user = UserFactory()
    payment = PaymentFactory(cart=shop_cart_of(user, variant=variant), state="failed")
    variant.price = Decimal("120.00")
    variant.save()
    fulfilment = fulfil(payment)
    assert fulfilment.needs_attention and "costs 120.00" in fulfilment.payment.attention_reason
    assert not Order.objects.exists()


def test_a_lapsed_checkout_takes_its_coupon_use_again():
    coupon = CouponFactory(usage_limit=1)
    payment = PaymentFactory(coupon_code=coupon.code, state="expired")
    coupon.refresh_from_db()
    assert coupon.times_used == 0  # given back when it expired
    fulfilment = fulfil(payment)
    assert not fulfilment.needs_attention
    coupon.refresh_from_db()
    assert coupon.times_used == 1 and fulfilment.payment.coupon_use_held


def test_a_lapsed_checkout_whose_coupon_use_went_to_someone_else_is_refunded():
    coupon = CouponFactory(usage_limit=1)
    payment = PaymentFactory(coupon_code=coupon.code, state="failed")
    PaymentFactory(coupon_code=coupon.code, state="paid")  # the last use is spent
    fulfilment = fulfil(payment)
    # Without the coupon, today's price is more than was paid.
    assert fulfilment.needs_attention and "more than" in fulfilment.payment.attention_reason
    coupon.refresh_from_db()
    assert coupon.times_used == 1


def test_an_order_first_order_cancelled_meanwhile_is_revived_when_its_stock_is_still_there():
    from orders.services import order_release
    from payments.services.checkout import payment_for_order
    from tests.factories import OrderFactory

    order = OrderFactory(state="pending_payment")
    payment = payment_for_order(order=order, provider="razorpay")
    payment.provider_order_id = "order_ORDERFIRST01"
    payment.save(update_fields=["provider_order_id"])
    order_release(order_id=order.pk, note="expired")
    fulfilment = fulfil(payment)
    order.refresh_from_db()
    assert not fulfilment.needs_attention and order.status == OrderStatus.PAYMENT_CONFIRMED


def test_a_refunded_payment_paid_again_is_left_as_it_is():
    payment = PaymentFactory(state="refunded")
    assert payment.status == PaymentStatus.REFUNDED
    refunds = owed_back(payment)
    fulfilment = fulfil(payment)
    assert fulfilment.payment.status == PaymentStatus.REFUNDED and owed_back(payment) == refunds
    assert Refund.objects.get(payment=payment).status == RefundStatus.PROCESSED
