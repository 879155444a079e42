"""Properties of pricing that no cart or coupon may break."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from cart.models import Coupon, CouponKind
from cart.pricing import lines_totals
from payments.money import to_minor

prices = st.decimals(min_value="0.00", max_value="99999.99", places=2)
lines = st.lists(
    st.fixed_dictionaries(
        {"unit_price": prices.map(str), "quantity": st.integers(min_value=1, max_value=1000)}
    ),
    min_size=1,
    max_size=20,
)
coupons = (
    st.none()
    | st.builds(
        lambda kind, value: Coupon(code="P", kind=kind, value=value),
        st.sampled_from(CouponKind.values),
        st.decimals(min_value="0.01", max_value="100.00", places=2),
    )
    | st.builds(
        lambda value: Coupon(code="F", kind=CouponKind.FIXED, value=value),
        st.decimals(min_value="0.01", max_value="10000000.00", places=2),
    )
)


@given(lines, coupons)
def test_totals_are_never_negative_and_the_discount_never_exceeds_the_subtotal(lines, coupon):
    subtotal, discount, total = lines_totals(lines, coupon)
    assert subtotal >= 0 and 0 <= discount <= subtotal and total >= 0
    assert total == subtotal - discount


@given(lines, coupons)
def test_paise_always_equal_the_rounded_rupee_amount(lines, coupon):
    _, discount, total = lines_totals(lines, coupon)
    for amount in (discount, total):
        assert amount == amount.quantize(Decimal("0.01"))
        assert to_minor(amount) == int((amount * 100).to_integral_value(ROUND_HALF_UP))
