"""A month's documents as GSTR-1's tables (the return of outward supplies), in the shape of
the GST portal's CSV templates: `b2b` (registered buyers, per invoice and rate), `b2cs`
(everyone else, per place of supply and rate), `cdnr` / `cdnur` (credit notes), `hsn` (per
HSN/SAC and rate, credit notes taken off) and `docs` (each series' first and last number).
Exempt lines (bills of supply) are in `hsn` and `docs`, not in the taxable tables."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from .models import DocumentKind, TaxDocument, TaxDocumentLine

ZERO = Decimal("0.00")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """`YYYY-MM` as [first instant, first instant of the next month) in the shop's zone."""
    year, number = (int(part) for part in month.split("-"))
    start = timezone.make_aware(datetime(year, number, 1))
    end = timezone.make_aware(datetime(year + number // 12, number % 12 + 1, 1))
    return start, end


def _place(document: TaxDocument) -> str:
    return f"{document.place_of_supply}-{document.place_of_supply_name}"


def _date(document: TaxDocument) -> str:
    return timezone.localtime(document.issued_at).strftime("%d-%b-%Y")


def gstr1_tables(month: str) -> dict[str, list[dict]]:
    start, end = month_bounds(month)
    documents = list(
        TaxDocument.objects.filter(issued_at__gte=start, issued_at__lt=end)
        .select_related("corrects")
        .prefetch_related("lines")
        .order_by("series", "serial")
    )
    tables: dict[str, list[dict]] = {name: [] for name in ("b2b", "b2cs", "cdnr", "cdnur")}
    b2cs: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    hsn: dict[tuple, dict] = {}
    for document in documents:
        note = document.kind == DocumentKind.CREDIT_NOTE
        sign = -1 if note else 1
        gstin = document.buyer.get("gstin", "")
        by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
        for line in document.lines.all():
            _add_hsn(hsn, line, sign)
            if line.gst_rate is not None:
                by_rate[line.gst_rate] += line.taxable_value
        for rate, taxable in sorted(by_rate.items()):
            row = {"Place Of Supply": _place(document), "Rate": rate, "Taxable Value": taxable}
            if note:
                table = "cdnr" if gstin else "cdnur"
                tables[table].append(
                    ({"GSTIN/UIN of Recipient": gstin, "Receiver Name": document.buyer["name"]}
                     if gstin else {"UR Type": "B2CS"})
                    | {"Note Number": document.number, "Note Date": _date(document),
                       "Note Type": "C", "Note Value": document.total}
                    | row
                )  # fmt: skip
            elif gstin:
                tables["b2b"].append(
                    {"GSTIN/UIN of Recipient": gstin, "Receiver Name": document.buyer["name"],
                     "Invoice Number": document.number, "Invoice date": _date(document),
                     "Invoice Value": document.total, "Reverse Charge": "N",
                     "Invoice Type": "Regular"} | row
                )  # fmt: skip
            else:
                b2cs[(_place(document), rate)] += taxable
    tables["b2cs"] = [
        {"Type": "OE", "Place Of Supply": place, "Rate": rate, "Taxable Value": taxable}
        for (place, rate), taxable in sorted(b2cs.items())
    ]
    tables["hsn"] = [hsn[key] for key in sorted(hsn)]
    tables["docs"] = _docs(documents)
    return tables


def _add_hsn(hsn: dict, line: TaxDocumentLine, sign: int) -> None:
    key = (line.hsn_or_sac, line.gst_rate if line.gst_rate is not None else Decimal("-1"))
    row = hsn.setdefault(
        key,
        {"HSN": line.hsn_or_sac, "Description": line.description[:30],
         "UQC": "NOS-NUMBERS" if line.uqc == "NOS" else "NA",
         "Total Quantity": 0, "Total Value": ZERO, "Rate": line.gst_rate or ZERO,
         "Taxable Value": ZERO, "Integrated Tax Amount": ZERO, "Central Tax Amount": ZERO,
         "State/UT Tax Amount": ZERO, "Cess Amount": ZERO},
    )  # fmt: skip
    row["Total Quantity"] += sign * line.quantity
    row["Total Value"] += sign * line.total
    row["Taxable Value"] += sign * line.taxable_value
    row["Integrated Tax Amount"] += sign * line.igst
    row["Central Tax Amount"] += sign * line.cgst
    row["State/UT Tax Amount"] += sign * line.sgst


NATURE = {"INV": "Invoices for outward supply", "BOS": "Bill of supply", "CN": "Credit Note"}


def _docs(documents: list[TaxDocument]) -> list[dict]:
    by_series: dict[str, list[TaxDocument]] = defaultdict(list)
    for document in documents:
        by_series[document.series].append(document)
    return [
        {"Nature of Document": NATURE[series], "Sr. No. From": issued[0].number,
         "Sr. No. To": issued[-1].number, "Total Number": len(issued), "Cancelled": 0}
        for series, issued in sorted(by_series.items())
    ]  # fmt: skip
