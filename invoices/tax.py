"""GST out of GST-inclusive prices, as the contract says: a coupon is shared between the lines
pro rata before tax (in paise by largest remainder, so the shares add up to the coupon
and none is negative), each line's taxable value is its total ÷ (1 + rate/100) rounded to
paise, and its tax is the rest of its total, so a document's totals equal what was paid to
the paisa. Same state as the shop: CGST and SGST, half each (the odd paisa to SGST); else
IGST. An exempt line (a bill of supply's) carries no tax."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")


def _paise(amount: Decimal) -> Decimal:
    return amount.quantize(PAISA, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Supply:
    """One line as sold: its GST-inclusive total before any coupon, and its rate (None:
    exempt)."""

    description: str
    code: str  # HSN (goods) or SAC (services)
    quantity: int
    amount: Decimal
    rate: Decimal | None
    uqc: str = "NOS"  # GST's unit of quantity: NOS for goods, NA for services


@dataclass(frozen=True)
class TaxedLine:
    supply: Supply
    total: Decimal  # what was paid for it: amount less its share of the coupon
    taxable_value: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


def shares_of(amounts: list[Decimal], total: Decimal) -> list[Decimal]:
    """`total` shared pro rata by amount, in paise, adding up to it exactly: each share
    rounded down, the paise left over given one each to the largest remainders (the
    larger amount first on a tie), so no share is negative or above its amount."""
    units = [int(amount * 100) for amount in amounts]
    whole, wanted = sum(units), int(total * 100)
    if not wanted or not whole:
        return [ZERO for _ in amounts]
    exact = [wanted * unit for unit in units]  # each share × whole, in paise
    paise = [value // whole for value in exact]
    by_remainder = sorted(range(len(units)), key=lambda i: (-(exact[i] % whole), -units[i], i))
    for i in by_remainder[: wanted - sum(paise)]:
        paise[i] += 1
    return [Decimal(share) / 100 for share in paise]


def lines_taxed(
    supplies: list[Supply], *, discount: Decimal, same_state: bool, zero_rated: bool = False
) -> list[TaxedLine]:
    """Each line's taxable value and tax; `zero_rated` (an export under LUT): the whole
    total is taxable value and no tax is charged, the rate kept for the record."""
    shares = shares_of([supply.amount for supply in supplies], discount)
    taxed = []
    for supply, share in zip(supplies, shares, strict=True):
        total = supply.amount - share
        if supply.rate is None or zero_rated:
            taxed.append(TaxedLine(supply, total, total, ZERO, ZERO, ZERO))
            continue
        taxable = _paise(total / (1 + supply.rate / 100))
        tax = total - taxable
        if same_state:
            cgst = (tax / 2).quantize(PAISA, rounding=ROUND_DOWN)
            taxed.append(TaxedLine(supply, total, taxable, cgst, tax - cgst, ZERO))
        else:
            taxed.append(TaxedLine(supply, total, taxable, ZERO, ZERO, tax))
    return taxed
