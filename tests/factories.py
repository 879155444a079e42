from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from cart.models import Coupon, CouponKind
from catalog.models import Product, ProductVariant, PujaPackage, PujaService


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    first_name = "Asha"
    last_name = "Rao"
    phone = "9999999999"
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("100.00")


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    name = "Standard"
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    price = Decimal("100.00")
    stock = 10


class PujaServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PujaService

    name = factory.Sequence(lambda n: f"Puja {n}")


class PujaPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PujaPackage

    service = factory.SubFactory(PujaServiceFactory)
    name = "Basic"
    price = Decimal("999.00")
    duration_minutes = 60


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    code = factory.Sequence(lambda n: f"SAVE{n}")
    kind = CouponKind.PERCENT
    value = Decimal("10")


def future_slot(days: int = 7) -> dict:
    return {
        "selected_date": (timezone.localdate() + timedelta(days=days)),
        "selected_time": time(10, 0),
    }


# ------------------------------------------------------------------ carts, payments and what they build
# Money states are reached through the services that reach them in production (the checkout,
# fulfilment, transitions and refunds services), never by writing a status: a factory's
# payment is exactly what a real checkout leaves, without HTTP or a provider call. Use them
# in `db` tests: what a state enqueues on commit (a refund's send, a receipt) does not run.


def shop_cart_of(user, *, variant=None, quantity: int = 1):
    """The user's active shop cart holding `quantity` of `variant` (a new one by default)."""
    from cart.services import cart_item_add

    variant = variant or VariantFactory()
    return cart_item_add(
        user=user, product_id=variant.product_id, variant_id=variant.pk, quantity=quantity
    )


def booking_cart_of(user, *, package=None, days: int = 7, promo_code: str = ""):
    """A booking cart for `package` (a new one by default) `days` ahead at 10:00."""
    from cart.services import booking_cart_create

    package = package or PujaPackageFactory()
    return booking_cart_create(
        user=user,
        puja_service_id=package.service_id,
        package_id=package.pk,
        promo_code=promo_code,
        **future_slot(days),
    )


def paid_charge(payment, *, amount=None, provider_payment_id: str = ""):
    """What the provider says when this payment's money arrived (`amount` in rupees to
    say it arrived short or over)."""
    from payments.gateways.base import Charge, ChargeState
    from payments.money import to_minor

    return Charge(
        state=ChargeState.PAID,
        provider_order_id=payment.provider_order_id,
        amount=to_minor(payment.amount if amount is None else amount),
        currency=payment.currency,
        provider_payment_id=provider_payment_id or f"pay_{payment.pk.hex[:14]}",
    )


def _paid(payment):
    from payments.services.fulfilment import payment_fulfil

    return payment_fulfil(payment_id=payment.pk, charge=paid_charge(payment)).payment


def _paid_short(payment):
    from payments.services.fulfilment import payment_fulfil

    charge = paid_charge(payment, amount=payment.amount - Decimal("1.00"))
    return payment_fulfil(payment_id=payment.pk, charge=charge).payment


def _refunded(payment):
    refund = RefundFactory(payment=_paid(payment), state="processed")
    return type(payment).objects.get(pk=refund.payment_id)


def _moved(to_status):
    def move(payment):
        from payments.services.transitions import payment_move_open

        payment_move_open(payment_id=payment.pk, to_status=to_status, reason="factory")
        payment.refresh_from_db()
        return payment

    return move


PAYMENT_STATES = {
    "initiated": lambda payment: payment,
    "pending": _moved("PENDING"),
    "failed": _moved("FAILED"),
    "expired": _moved("EXPIRED"),
    "paid": _paid,
    "needs_attention": _paid_short,
    "refunded": _refunded,
}


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment-first payment of `cart` (by default a new shopper's shop cart of one unit
    of a new variant) by its owner, started by the checkout service, in `state`:
    initiated, pending, failed, expired, paid (fulfilled), needs_attention (paid a rupee
    short: flagged, its refund requested) or refunded (paid, then refunded in full)."""

    class Meta:
        model = "payments.Payment"

    cart = factory.LazyFunction(lambda: shop_cart_of(UserFactory()))
    user = factory.LazyAttribute(lambda o: o.cart.user)
    provider = "razorpay"
    coupon_code = ""
    state = "initiated"

    @classmethod
    def _create(cls, model_class, *, user, cart, provider, coupon_code, state):
        from payments.services.checkout import payment_start_from_cart

        payment = payment_start_from_cart(
            user=user, cart_ref=cart.cart_id, provider=provider, coupon_code=coupon_code
        )
        # Opened at the provider: a provider order id, as the real call would give it.
        payment.provider_order_id = f"order_{payment.pk.hex[:14]}"
        payment.save(update_fields=["provider_order_id"])
        return PAYMENT_STATES[state](payment)


class RefundFactory(factory.django.DjangoModelFactory):
    """A staff refund of a paid payment's order or booking (in full unless `amount`: then
    what it bought is undone at once), through the staff refunds service, in `state`:
    requested (not sent yet), processed (the money is back) or failed (the provider refused
    it: a ledger breach until staff retry or give up)."""

    class Meta:
        model = "payments.Refund"

    payment = factory.SubFactory(PaymentFactory, state="paid")
    amount = None
    reason = "The devotee cancelled by phone."
    state = "requested"

    @classmethod
    def _create(cls, model_class, *, payment, amount, reason, state):
        from payments.gateways.base import RefundResult, RefundState
        from payments.services.refunds import refund_record
        from payments.services.staff_refunds import booking_refund_by_staff, order_refund_by_staff

        if payment.order_id:
            refund = order_refund_by_staff(
                order_id=payment.order_id, staff=None, reason=reason, amount=amount
            )
        else:
            refund = booking_refund_by_staff(
                booking_id=payment.bookings.get().pk, staff=None, reason=reason, amount=amount
            )
        if state != "requested":
            result = RefundResult(
                state=RefundState.PROCESSED if state == "processed" else RefundState.FAILED,
                provider_refund_id=f"rfnd_{refund.pk.hex[:14]}",
                reason="" if state == "processed" else "The bank refused the refund.",
            )
            refund = refund_record(refund_id=refund.pk, result=result)
        return refund


class OrderFactory(factory.django.DjangoModelFactory):
    """A shop order in `state`: pending_payment (order-first, stock reserved),
    payment_confirmed (paid payment-first), cancelled (order-first, released unpaid) or
    refunded (paid, then refunded in full)."""

    class Meta:
        model = "orders.Order"

    user = factory.SubFactory(UserFactory)
    state = "payment_confirmed"

    @classmethod
    def _create(cls, model_class, *, user, state):
        from orders.services import order_place, order_release

        if state in ("pending_payment", "cancelled"):
            shop_cart_of(user)
            order = order_place(user=user, shipping_address=ADDRESS, billing_address=ADDRESS)
            if state == "cancelled":
                order_release(order_id=order.pk, note="factory")
                order.refresh_from_db()
            return order
        paid = {"payment_confirmed": "paid", "refunded": "refunded"}[state]
        return PaymentFactory(cart=shop_cart_of(user), state=paid).order


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking in `state`: CONFIRMED (its payment fulfilled) or CANCELLED (refunded in
    full); `package` and `days` ahead choose the slot."""

    class Meta:
        model = "bookings.Booking"

    user = factory.SubFactory(UserFactory)
    package = factory.SubFactory(PujaPackageFactory)
    days = 7
    state = "CONFIRMED"

    @classmethod
    def _create(cls, model_class, *, user, package, days, state):
        cart = booking_cart_of(user, package=package, days=days)
        paid = {"CONFIRMED": "paid", "CANCELLED": "refunded"}[state]
        return PaymentFactory(cart=cart, state=paid).bookings.get()


ADDRESS = {
    "first_name": "Asha",
    "last_name": "Rao",
    "address_line_1": "12 Temple Road",
    "city": "Chennai",
    "state": "TN",
    "postal_code": "600001",
    "country": "IN",
    "phone": "9999999999",
}
