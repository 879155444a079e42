"""Issuing tax documents. Fulfilment issues one for each order or booking inside its own
transaction, refunds and lost disputes a credit note inside theirs; nothing here calls out
or commits. A document's number is taken last: one statement increments its series' counter
for the financial year and keeps that row locked only until the issuing transaction
commits, so numbers are consecutive without gaps (a rollback gives the number back) and
checkouts wait on one another only for that last moment."""

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from bookings.models import Booking
from cart.lines import Line, booking_lines, product_lines
from catalog.models import Product, PujaPackage
from orders.models import Order
from outbound.services import event_record

from .documents import EXPORT, document_body, issued_zero_rated
from .models import SERIES, DocumentKind, TaxDocument, TaxDocumentLine
from .states import gst_state_code, state_name
from .tax import ZERO, Supply, TaxedLine, lines_taxed, shares_of

NEXT_SERIAL = """
INSERT INTO invoices_documentcounter (series, financial_year, last) VALUES (%s, %s, 1)
ON CONFLICT (series, financial_year) DO UPDATE SET last = invoices_documentcounter.last + 1
RETURNING last
"""


def gst_on() -> bool:
    return bool(settings.GST_SELLER_GSTIN)


def financial_year(at: datetime) -> str:
    """April to March in the shop's time zone, as `2627` for 2026–27."""
    local = timezone.localtime(at)
    start = local.year if local.month >= 4 else local.year - 1
    return f"{start % 100:02d}{(start + 1) % 100:02d}"


def seller() -> dict:
    code = gst_state_code(settings.GST_SELLER_STATE) or settings.GST_SELLER_GSTIN[:2]
    return {
        "name": settings.GST_SELLER_NAME,
        "address": settings.GST_SELLER_ADDRESS,
        "gstin": settings.GST_SELLER_GSTIN,
        "state_code": code,
        "state": state_name(code),
    }


def _address_text(address: dict) -> str:
    lines = [address.get(key, "") for key in ("address_line_1", "address_line_2", "city")]
    place = " ".join(filter(None, [address.get("state", ""), address.get("postal_code", "")]))
    return ", ".join(filter(None, [*lines, place]))


def _buyer(billing: dict, shipping: dict, *, name: str) -> dict:
    """The buyer as Rule 46 names them: the billing address's name, else the account's (never
    a placeholder); the delivery address where it differs from the billing one."""
    address = billing or shipping
    named = " ".join(filter(None, [address.get("first_name"), address.get("last_name")]))
    buyer = {"name": named or name, "address": _address_text(address)}
    delivery = _address_text(shipping) if shipping else ""
    if delivery and delivery != buyer["address"]:
        buyer["delivery_address"] = delivery
    if address.get("gstin"):
        buyer |= {"gstin": address["gstin"], "state_code": address["gstin"][:2]}
    return buyer


def _rate(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _supplies(lines: list[Line]) -> list[Supply]:
    """Each line as sold, with the tax facts its snapshot froze (read from the catalogue for
    a snapshot made before they were)."""
    products = product_lines(lines)
    missing = [line["product_id"] for line in products if "gst_rate" not in line]
    catalogue = {p.pk: p for p in Product.objects.filter(pk__in=missing)} if missing else {}
    supplies = []
    for line in products:
        product = catalogue.get(line["product_id"])
        code = line.get("tax_code", product.hsn_code if product else "")
        if "gst_rate" in line:
            rate = _rate(line["gst_rate"])
        else:
            rate = product.gst_rate if product else None
        supplies.append(
            Supply(
                description=f"{line['product_name']} – {line['variant_name']}",
                code=code or "",
                quantity=line["quantity"],
                amount=Decimal(line["unit_price"]) * line["quantity"],
                rate=rate,
            )
        )
    for booking in booking_lines(lines):
        if "gst_rate" in booking:
            code, rate = booking.get("tax_code", ""), _rate(booking["gst_rate"])
        else:
            package = PujaPackage.objects.get(pk=booking["package_id"])
            code, rate = package.sac_code, None if package.gst_exempt else package.gst_rate
        supplies.append(
            Supply(
                description=(
                    f"{booking['service_name']} – {booking['package_name']}, "
                    f"{booking['selected_date']} {booking['selected_time']}"
                ),
                code=code,
                quantity=1,
                amount=Decimal(booking["unit_price"]),
                rate=rate,
                uqc="NA",  # a service
            )
        )
    return supplies


def _kind(taxed: list[TaxedLine]) -> DocumentKind:
    exempt = [line.supply.rate is None for line in taxed]
    if all(exempt):
        return DocumentKind.BILL_OF_SUPPLY
    return DocumentKind.INVOICE_CUM_BILL if any(exempt) else DocumentKind.TAX_INVOICE


EXPORT_NAME = "Other Countries"


@dataclass(frozen=True)
class _Place:
    code: str
    needs_review: bool

    @property
    def name(self) -> str:
        return EXPORT_NAME if self.code == EXPORT else state_name(self.code)


def _place_of_supply(lines: list[Line], shipping_address: dict) -> _Place:
    """Goods: where they are shipped (out of India: an export); services (pujas): the
    shop's own state."""
    own = seller()["state_code"]
    if not product_lines(lines):
        return _Place(own, False)
    if (shipping_address.get("country") or "IN").strip().upper() not in ("IN", "IND", "INDIA"):
        return _Place(EXPORT, False)
    code = gst_state_code(shipping_address.get("state", ""))
    return _Place(code or own, code is None)


def zero_rated(place_of_supply: str) -> bool:
    """An export under the shop's LUT: no IGST (unless GST_EXPORT_WITH_PAYMENT)."""
    return place_of_supply == EXPORT and not settings.GST_EXPORT_WITH_PAYMENT


def _write(
    kind: DocumentKind, numbered: list[tuple[int, TaxedLine]], *, at: datetime, **fields
) -> TaxDocument:
    """The document and its lines (each with its position), numbered: the issuing
    transaction's last work. Answers the document as issued, its lines in hand (nothing is
    read back)."""
    taxed = [line for _, line in numbered]
    series, year = SERIES[kind], financial_year(at)
    document = fields | {
        "kind": kind,
        "series": series,
        "financial_year": year,
        "issued_at": at,
        "currency": "INR",
        "needs_review": fields.get("needs_review", False),
        **{key: sum((getattr(line, key) for line in taxed), Decimal("0")) for key in TOTALS},
    }
    lines = [
        {
            "position": position,
            "description": line.supply.description[:300],
            "hsn_or_sac": line.supply.code[:8],
            "quantity": line.supply.quantity,
            "uqc": line.supply.uqc,
            "gst_rate": line.supply.rate,
            **{key: getattr(line, key) for key in TOTALS},
        }
        for position, line in numbered
    ]
    if connection.vendor == "postgresql":
        pk, number = _write_in_one_statement(series, year, document, lines)
        issued = TaxDocument(pk=pk, number=number, serial=int(number[-6:]), **document)
    else:  # elsewhere (SQLite): three statements, same order
        with connection.cursor() as cursor:
            cursor.execute(NEXT_SERIAL, [series, year])
            serial = cursor.fetchone()[0]
        issued = TaxDocument.objects.create(
            **document, serial=serial, number=f"{series}/{year}/{serial:06d}"
        )
        TaxDocumentLine.objects.bulk_create(
            TaxDocumentLine(document=issued, **line) for line in lines
        )
    issued._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "lines": [TaxDocumentLine(document=issued, **line) for line in lines],
        "credit_notes": [],
    }
    return issued


TOTALS = ("taxable_value", "cgst", "sgst", "igst", "total")


@functools.cache
def _insert_shape(model, names: tuple[str, ...]) -> tuple[list[str], list[str], list[bool]]:
    """For a raw INSERT of these fields: their columns, typed placeholders, and which hold
    JSON (computed once per model and set of fields)."""
    fields = [model._meta.get_field(name) for name in names]
    return (
        [field.column for field in fields],
        [f"%s::{field.db_type(connection)}" for field in fields],
        [field.get_internal_type() == "JSONField" for field in fields],
    )


def _columns(model, values: dict) -> tuple[list[str], list[str], list]:
    """Column names, typed placeholders and values for a raw INSERT."""
    columns, marks, json = _insert_shape(model, tuple(values))
    params = [
        connection.ops.adapt_json_value(value, None) if is_json
        else getattr(value, "pk", value)  # a related row: its key
        for value, is_json in zip(values.values(), json, strict=True)
    ]  # fmt: skip
    return columns, marks, params


def _write_in_one_statement(
    series: str, year: str, document: dict, lines: list[dict]
) -> tuple[int, str]:
    """Number, document and lines in one round trip (PostgreSQL's data-modifying CTEs), so
    the counter's row lock is held only for this statement and the commit after it."""
    doc_columns, doc_marks, doc_params = _columns(TaxDocument, document)
    rows, line_params = [], []
    for line in lines:
        line_columns, marks, params = _columns(TaxDocumentLine, line)
        rows.append(f"({', '.join(marks)})")
        line_params += params
    sql = f"""
        WITH counter AS ({NEXT_SERIAL}),
        document AS (
            INSERT INTO invoices_taxdocument (number, serial, {", ".join(doc_columns)})
            SELECT %s || lpad(counter.last::text, 6, '0'), counter.last, {", ".join(doc_marks)}
            FROM counter
            RETURNING id, number
        ),
        line_rows AS (
            INSERT INTO invoices_taxdocumentline (document_id, {", ".join(line_columns)})
            SELECT document.id, line.* FROM document, (VALUES {", ".join(rows)})
                AS line ({", ".join(line_columns)})
        )
        SELECT id, number FROM document
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [series, year, f"{series}/{year}/", *doc_params, *line_params])
        return cursor.fetchone()


def invoice_issue(
    *,
    user_id: int,
    buyer_name: str = "",
    lines: list[Line],
    discount: Decimal,
    shipping_address: dict,
    billing_address: dict,
    order: Order | None = None,
    booking: Booking | None = None,
    at: datetime | None = None,
) -> None:
    """The document of one sale (an order or a booking), unless GST is off. Must run inside
    the transaction that makes the sale, as its last work."""
    if not gst_on():
        return
    place = _place_of_supply(lines, shipping_address)
    taxed = lines_taxed(
        _supplies(lines),
        discount=discount,
        same_state=place.code == seller()["state_code"],
        zero_rated=zero_rated(place.code),
    )
    issued = _write(
        _kind(taxed),
        list(enumerate(taxed, start=1)),
        at=at or timezone.now(),
        order=order,
        booking=booking,
        user_id=user_id,
        seller=seller(),
        buyer=_buyer(billing_address, shipping_address, name=buyer_name),
        place_of_supply=place.code,
        place_of_supply_name=place.name,
        needs_review=place.needs_review,
    )
    event_record(type="invoice.issued", data=document_body(issued), person_id=issued.user_id)


def invoice_of_payment(payment) -> TaxDocument | None:
    """The document of what a payment bought (not a credit note), if one was issued."""
    documents = TaxDocument.objects.exclude(kind=DocumentKind.CREDIT_NOTE)
    if payment.order_id:
        return documents.filter(order_id=payment.order_id).first()
    return documents.filter(booking__payment=payment).first()


def credit_note_issue(
    *, invoice: TaxDocument, amount: Decimal, source: str, at: datetime | None = None
) -> None:
    """A credit note for `amount` of `invoice`, once per `source` ("refund:<id>",
    "dispute:<id>"), for no more than the invoice's earlier credit notes left of it: shared
    between its lines in proportion to what each has left (largest remainder, so no line is
    negative), tax taken out at each line's rate. Runs inside the transaction of the refund
    or dispute it records; the invoice's row lock makes its notes add up one at a time."""
    invoice = TaxDocument.objects.select_for_update().get(pk=invoice.pk)
    if TaxDocument.objects.filter(source=source).exists():
        return
    lines = list(invoice.lines.all())
    credited = dict(
        TaxDocumentLine.objects.filter(document__corrects=invoice)
        .values("position")
        .annotate(total=Sum("total"))
        .values_list("position", "total")
    )
    left = [max(line.total - credited.get(line.position, ZERO), ZERO) for line in lines]
    shares = shares_of(left, min(amount, sum(left, ZERO)))
    if not any(shares):
        return  # the invoice is credited in full already
    # Money only (no goods came back): value and no quantity.
    supplies = [
        Supply(line.description, line.hsn_or_sac, 0, share, line.gst_rate, line.uqc)
        for line, share in zip(lines, shares, strict=True)
    ]
    own_state = invoice.place_of_supply == invoice.seller["state_code"]
    taxed = lines_taxed(
        supplies,
        discount=ZERO,
        same_state=own_state,
        zero_rated=issued_zero_rated(invoice),
    )
    issued = _write(
        DocumentKind.CREDIT_NOTE,
        # Each note line keeps its invoice line's position: what it credits.
        [
            (line.position, taxed_line)
            for line, taxed_line in zip(lines, taxed, strict=True)
            if taxed_line.total
        ],
        at=at or timezone.now(),
        corrects=invoice,
        source=source,
        user_id=invoice.user_id,
        seller=invoice.seller,
        buyer=invoice.buyer,
        place_of_supply=invoice.place_of_supply,
        place_of_supply_name=invoice.place_of_supply_name,
        needs_review=invoice.needs_review,
    )
    event_record(type="credit_note.issued", data=document_body(issued), person_id=issued.user_id)
