"""The lines a payment's snapshot freezes: the contract between the cart (which prices and
writes them), payments (which keeps them), and orders and bookings (which are built from
them). They are stored as JSON in Payment.cart_snapshot, so they are typed dicts: what is
stored is what is read. Read them through the functions here, never by their "type" key."""

from collections import Counter
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Literal, NotRequired, TypedDict


class ProductLine(TypedDict):
    type: Literal["product"]
    product_id: int
    variant_id: int
    product_name: str
    variant_name: str
    unit_price: str  # decimal rupees, as priced when the payment began
    quantity: int
    # GST as it stood when priced (absent from snapshots made before tax documents).
    tax_code: NotRequired[str]  # HSN
    gst_rate: NotRequired[str | None]  # percent; None: exempt


class BookingLine(TypedDict):
    type: Literal["booking"]
    puja_service_id: int
    package_id: int
    service_name: str
    package_name: str
    selected_date: str  # ISO date
    selected_time: str  # "HH:MM"
    unit_price: str
    quantity: int  # always 1: a booking line is one place in one slot
    tax_code: NotRequired[str]  # SAC
    gst_rate: NotRequired[str | None]  # percent; None: exempt
    # The package's cancellation policy when the devotee paid (absent: the defaults).
    cancel_until_hours: NotRequired[int]
    cancel_fee_percent: NotRequired[str]


Line = ProductLine | BookingLine


class Snapshot(TypedDict):
    """What a payment buys. A cart's payment names its cart; an order-first payment its
    order."""

    lines: list[Line]
    cart_id: NotRequired[str | None]
    kind: NotRequired[str]
    coupon_code: NotRequired[str]
    order_number: NotRequired[str | None]


def product_line(
    *,
    product_id: int,
    variant_id: int,
    product_name: str,
    variant_name: str,
    unit_price: Decimal,
    quantity: int,
    tax_code: str = "",
    gst_rate: Decimal | None = None,
) -> ProductLine:
    return ProductLine(
        type="product",
        product_id=product_id,
        variant_id=variant_id,
        product_name=product_name,
        variant_name=variant_name,
        unit_price=str(unit_price),
        quantity=quantity,
        tax_code=tax_code,
        gst_rate=None if gst_rate is None else str(gst_rate),
    )


def booking_line(
    *,
    puja_service_id: int,
    package_id: int,
    service_name: str,
    package_name: str,
    selected_date: date,
    selected_time: time,
    unit_price: Decimal,
    tax_code: str = "",
    gst_rate: Decimal | None = None,
    cancel_until_hours: int = 24,
    cancel_fee_percent: Decimal = Decimal("0"),
) -> BookingLine:
    return BookingLine(
        type="booking",
        puja_service_id=puja_service_id,
        package_id=package_id,
        service_name=service_name,
        package_name=package_name,
        selected_date=selected_date.isoformat(),
        selected_time=selected_time.strftime("%H:%M"),
        unit_price=str(unit_price),
        quantity=1,
        tax_code=tax_code,
        gst_rate=None if gst_rate is None else str(gst_rate),
        cancel_until_hours=cancel_until_hours,
        cancel_fee_percent=str(cancel_fee_percent),
    )


def snapshot_lines(snapshot: Snapshot) -> list[Line]:
    """The one reader of a stored snapshot's lines (a snapshot without any is broken)."""
    return snapshot["lines"]


def product_lines(lines: Iterable[Line]) -> list[ProductLine]:
    return [line for line in lines if line["type"] == "product"]


def booking_lines(lines: Iterable[Line]) -> list[BookingLine]:
    return [line for line in lines if line["type"] == "booking"]


def line_amount(line: Line) -> Decimal:
    return Decimal(line["unit_price"]) * line["quantity"]


def units_of(lines: Iterable[ProductLine]) -> Counter:
    """How many units of each variant the lines buy."""
    units: Counter = Counter()
    for line in lines:
        units[line["variant_id"]] += line["quantity"]
    return units


def product_name(line: ProductLine) -> str:
    return f"{line['product_name']} ({line['variant_name']})"


def slot_of(line: BookingLine) -> tuple[date, time]:
    return date.fromisoformat(line["selected_date"]), time.fromisoformat(line["selected_time"])


def slot_name(line: BookingLine) -> str:
    return f"{line['selected_date']} {line['selected_time']} for {line['service_name']}"
