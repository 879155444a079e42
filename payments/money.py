"""Money is Decimal in major units inside, integer minor units at provider boundaries."""

from decimal import Decimal

SUPPORTED_CURRENCIES = ("INR",)
_MINOR_PER_MAJOR = 100


def to_minor(amount: Decimal) -> int:
    minor = amount * _MINOR_PER_MAJOR
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} has more precision than the currency's minor unit")
    return int(minor)


def from_minor(amount: int) -> Decimal:
    return Decimal(amount) / _MINOR_PER_MAJOR
