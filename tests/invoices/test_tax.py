"""The tax arithmetic on its own: whatever the prices, rates, quantities and coupon, the
parts always add up to the price paid, to the paisa."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from config.gstin import gstin_check_character, gstin_valid
from invoices.states import gst_state_code
from invoices.tax import Supply, lines_taxed, shares_of

money = st.decimals(min_value="1.00", max_value="500000.00", places=2)
rates = st.one_of(st.none(), st.sampled_from(["0", "0.25", "3", "5", "12", "18", "28", "40"]))
supplies = st.lists(
    st.builds(
        lambda amount, rate, quantity: Supply(
            "x", "9999", quantity, amount, rate and Decimal(rate)
        ),
        money,
        rates,
        st.integers(min_value=1, max_value=50),
    ),
    min_size=1,
    max_size=12,
)


@given(supplies, st.floats(min_value=0, max_value=0.99), st.booleans())
def test_the_parts_add_up_to_the_price_paid(lines, coupon_part, same_state):
    subtotal = sum(line.amount for line in lines)
    discount = (subtotal * Decimal(str(coupon_part))).quantize(Decimal("0.01"))
    taxed = lines_taxed(lines, discount=discount, same_state=same_state)
    assert sum(line.total for line in taxed) == subtotal - discount
    for line in taxed:
        assert line.taxable_value + line.tax == line.total
        assert min(line.taxable_value, line.cgst, line.sgst, line.igst) >= 0
        assert line.total.as_tuple().exponent >= -2 and line.tax.as_tuple().exponent >= -2
        if same_state:
            assert line.igst == 0 and abs(line.cgst - line.sgst) <= Decimal("0.01")
        else:
            assert line.cgst == line.sgst == 0
        if line.supply.rate is None:
            assert line.tax == 0


# A few paise over many equal lines is where rounding each share goes negative: draw it.
paise_total = st.one_of(st.integers(0, 10), st.integers(0, 10**9))


@given(
    st.one_of(
        st.lists(money, min_size=1, max_size=20),
        st.integers(1, 12).flatmap(
            lambda n: st.lists(money, min_size=n, max_size=n, unique=False).map(
                lambda a: [a[0]] * n
            )
        ),
    ),
    paise_total,
)
def test_shares_add_up_to_the_total_and_none_is_negative_or_above_its_amount(amounts, paise):
    total = min(Decimal(paise) / 100, sum(amounts))
    shares = shares_of(amounts, total)
    assert sum(shares) == total
    assert all(0 <= share <= amount for share, amount in zip(shares, amounts, strict=True))


def test_two_paise_over_four_equal_lines_go_to_two_of_them():
    assert shares_of([Decimal("124.50")] * 4, Decimal("0.02")) == [
        Decimal("0.01"), Decimal("0.01"), Decimal("0"), Decimal("0"),
    ]  # fmt: skip


def test_a_gst_inclusive_price_splits_as_the_contract_says():
    (line,) = lines_taxed(
        [Supply("Diya", "7418", 1, Decimal("1180.00"), Decimal("18"))],
        discount=Decimal("0"),
        same_state=True,
    )
    assert (line.taxable_value, line.cgst, line.sgst) == (
        Decimal("1000.00"),
        Decimal("90.00"),
        Decimal("90.00"),
    )


def test_gstins_are_checked_by_their_check_character():
    assert gstin_valid("27AAPFU0939F1ZV") and gstin_valid(" 27aapfu0939f1zv ")
    assert not gstin_valid("27AAPFU0939F1ZW")  # one character off
    assert not gstin_valid("27AAPFU0939F1Z")  # too short
    assert gstin_check_character("29AAGCB7383J1Z") == gstin_check_character("29AAGCB7383J1Z")


def test_states_are_recognised_by_name_iso_code_or_gst_code():
    for written in ("Maharashtra", "maharashtra", "MH", "IN-MH", "27", "Mahārāshtra"):
        assert gst_state_code(written) == "27", written
    assert gst_state_code("Orissa") == gst_state_code("OR") == "21"
    assert gst_state_code("Tamil Nadu") == "33"
    assert gst_state_code("Atlantis") is None


def test_a_gstin_names_a_state_code_the_gst_network_assigns():
    """Every code from 00 to 99 with a valid check character: only 01–38, 97 and 99 pass."""
    assigned = {f"{code:02d}" for code in range(1, 39)} | {"97", "99"}
    for code in (f"{n:02d}" for n in range(100)):
        first_14 = f"{code}AAPFU0939F1Z"
        gstin = first_14 + gstin_check_character(first_14)
        assert gstin_valid(gstin) == (code in assigned), code
