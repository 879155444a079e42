"""What every simulated provider shares: its ids and the fee a sandbox provider charges."""

import secrets
import string

# What a simulated provider charges on each payment it settles: 2%, and the 18% GST on that
# fee (India's rate on a payment provider's service), in minor units.
FEE_PERCENT, FEE_GST_PERCENT = 2, 18
_ALPHANUMERIC = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 14) -> str:
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def fee_of(amount: int) -> tuple[int, int]:
    """(fee with its GST, the GST) on a payment of `amount`, rounded half up."""
    fee = (amount * FEE_PERCENT + 50) // 100
    tax = (fee * FEE_GST_PERCENT + 50) // 100
    return fee + tax, tax
