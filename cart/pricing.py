"""Prices come from the catalog, never from the client. One function turns a cart into the
frozen lines and totals that a payment or an order is made from."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, OuterRef, Q
from django.utils import timezone

from catalog.models import ProductVariant, PujaPackage
from config.exceptions import Invalid
from holds.selectors import held_quantity

from .lines import (
    Line,
    Snapshot,
    booking_line,
    booking_lines,
    line_amount,
    product_line,
    product_lines,
)
from .models import Cart, Coupon, CouponKind

CENT = Decimal("0.01")
MINIMUM_PAYABLE = Decimal("1.00")  # providers refuse orders under ₹1


def check_payable(total: Decimal) -> None:
    if total < MINIMUM_PAYABLE:
        raise Invalid(
            f"The total {total} is below the minimum payable amount of {MINIMUM_PAYABLE}."
        )


@dataclass(frozen=True)
class PricedCart:
    lines: list[Line]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    coupon: Coupon | None
    # Each product line's variant stock, and the units other checkouts hold of it, as read
    # with the prices (advisory: the locked hold, take or reservation decides).
    stock: dict[int, int] = field(default_factory=dict)
    held_by_others: dict[int, int] = field(default_factory=dict)

    @property
    def items_count(self) -> int:
        return sum(line["quantity"] for line in self.lines)

    def snapshot(self, cart: Cart) -> Snapshot:
        return Snapshot(
            cart_id=cart.cart_id,
            kind=cart.kind,
            lines=self.lines,
            coupon_code=self.coupon.code if self.coupon else "",
        )


def coupon_problem(coupon: Coupon) -> str:
    """Why the coupon cannot be used right now ("" when it can)."""
    now = timezone.now()
    if not coupon.is_active:
        return f"Invalid coupon: {coupon.code} does not exist."
    if (coupon.valid_from and now < coupon.valid_from) or (
        coupon.valid_until and now > coupon.valid_until
    ):
        return f"Invalid coupon: {coupon.code} is not valid at this time."
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        return f"Invalid coupon: {coupon.code} has reached its usage limit."
    return ""


def coupon_get_valid(code: str) -> Coupon:
    """The coupon if it can be used right now, else a 400 naming why."""
    coupon = Coupon.objects.filter(code__iexact=code.strip()).first()
    if coupon is None:
        raise Invalid(f"Invalid coupon: {code} does not exist.")
    if problem := coupon_problem(coupon):
        raise Invalid(problem)
    return coupon


def coupon_consume(coupon: Coupon) -> bool:
    """Count one use; False when the limit was reached meanwhile (guarded update)."""
    within_limit = Q(usage_limit__isnull=True) | Q(times_used__lt=F("usage_limit"))
    return (
        Coupon.objects.filter(within_limit, pk=coupon.pk).update(times_used=F("times_used") + 1)
        == 1
    )


def coupon_release(coupon_id: int) -> None:
    """Give back one use that a payment held but will not spend."""
    Coupon.objects.filter(pk=coupon_id, times_used__gt=0).update(times_used=F("times_used") - 1)


def _discount(subtotal: Decimal, coupon: Coupon | None) -> Decimal:
    if coupon is None:
        return Decimal("0.00")
    if coupon.kind == CouponKind.PERCENT:
        return (subtotal * coupon.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(coupon.value, subtotal)


def cart_items(cart: Cart) -> list:
    """A shop cart's items with their variants and products, in the order they were added,
    each with `held_by_others` (the units other checkouts hold of its variant)."""
    variant, own = OuterRef("variant_id"), Q(cart=OuterRef("cart_id"))
    return list(
        cart.items.select_related("variant__product")
        .annotate(held_by_others=held_quantity(of="variant", variant=variant, excluding=own))
        .order_by("id")
    )


def cart_lines(cart: Cart, items: list | None = None) -> tuple[list[Line], list]:
    """The cart's lines as they would be frozen into a snapshot, at today's prices, and its
    items (read by cart_items, with their stock and what others hold; none for a booking
    cart)."""
    if cart.is_booking:
        line = booking_line(
            puja_service_id=cart.puja_service_id,
            package_id=cart.package.pk,
            service_name=cart.puja_service.name,
            package_name=cart.package.name,
            selected_date=cart.selected_date,
            selected_time=cart.selected_time,
            unit_price=cart.package.price,
            tax_code=cart.package.sac_code,
            gst_rate=None if cart.package.gst_exempt else cart.package.gst_rate,
            cancel_until_hours=cart.package.cancel_until_hours,
            cancel_fee_percent=cart.package.cancel_fee_percent,
        )
        return [line], []
    if items is None:
        items = cart_items(cart)
    lines = [
        product_line(
            product_id=item.variant.product_id,
            variant_id=item.variant_id,
            product_name=item.variant.product.name,
            variant_name=item.variant.name,
            unit_price=item.variant.price,
            quantity=item.quantity,
            tax_code=item.variant.product.hsn_code,
            gst_rate=item.variant.product.gst_rate,
        )
        for item in items
    ]
    return lines, items


def lines_totals(lines: list[Line], coupon: Coupon | None) -> tuple[Decimal, Decimal, Decimal]:
    """Subtotal, discount and total of frozen lines, in paise-exact rupees."""
    subtotal = sum((line_amount(line) for line in lines), Decimal("0"))
    subtotal = subtotal.quantize(CENT)
    discount = _discount(subtotal, coupon)
    return subtotal, discount, subtotal - discount


def cart_price(
    cart: Cart, *, coupon: Coupon | None = None, items: list | None = None
) -> PricedCart:
    lines, items = cart_lines(cart, items)
    subtotal, discount, total = lines_totals(lines, coupon)
    return PricedCart(
        lines=lines,
        subtotal=subtotal,
        discount_total=discount,
        total=total,
        coupon=coupon,
        stock={item.variant_id: item.variant.stock for item in items},
        held_by_others={item.variant_id: item.held_by_others for item in items},
    )


def lines_total_today(lines: list[Line], *, coupon: Coupon | None) -> Decimal | None:
    """What frozen lines would cost now, at catalog prices, with `coupon` off; None when a
    line is no longer sold. Used when a success arrives for a checkout that had expired."""
    products, bookings = product_lines(lines), booking_lines(lines)
    variant_prices = dict(
        ProductVariant.objects.filter(
            pk__in=[line["variant_id"] for line in products], product__is_active=True
        ).values_list("pk", "price")
    )
    package_prices = dict(
        PujaPackage.objects.filter(
            pk__in=[line["package_id"] for line in bookings], service__is_active=True
        ).values_list("pk", "price")
    )
    priced = [(variant_prices.get(line["variant_id"]), line["quantity"]) for line in products]
    priced += [(package_prices.get(line["package_id"]), line["quantity"]) for line in bookings]
    if any(price is None for price, _ in priced):
        return None
    subtotal = sum((price * quantity for price, quantity in priced), Decimal("0")).quantize(CENT)
    return subtotal - _discount(subtotal, coupon)
