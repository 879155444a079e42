"""A month's documents as GSTR-1 (the return of outward supplies), table by table as the
GST portal's Returns Offline Tool imports them: each table's headers in the tool's order
and its values as the tool writes them (dates `06-Dec-2026`, places `29-Karnataka`, rates
`12`). Which table a document goes to:

- a sale to a registered buyer (GSTIN): `b2b`, per rate; its credit notes `cdnr`;
- an inter-state sale to an unregistered buyer above GST_B2CL_LIMIT: `b2cl`; its credit
  notes `cdnur` (UR Type B2CL);
- an export (shipped out of India): `exp`, WOPAY under LUT or WPAY; its credit notes
  `cdnur` (EXPWOP / EXPWP);
- every other sale to an unregistered buyer: `b2cs`, by place of supply and rate, its
  credit notes netted in;
- exempt lines (pujas): `exemp`, by inter/intra-state and registered/unregistered, their
  credit notes netted in;
- every line: `hsn(b2b)` or `hsn(b2c)` by HSN/SAC, unit and rate (credit notes take value
  off; quantities fall only when goods come back); every series: `docs`.

Version followed: docs/operations.md ("GSTR-1")."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .documents import EXPORT, issued_zero_rated
from .models import DocumentKind, TaxDocument, TaxDocumentLine

ZERO = Decimal("0.00")
TAXES = ("taxable_value", "igst", "cgst", "sgst")

HEADERS = {
    "b2b": ["GSTIN/UIN of Recipient", "Receiver Name", "Invoice Number", "Invoice date",
            "Invoice Value", "Place Of Supply", "Reverse Charge", "Applicable % of Tax Rate",
            "Invoice Type", "E-Commerce GSTIN", "Rate", "Taxable Value", "Cess Amount"],
    "b2cl": ["Invoice Number", "Invoice date", "Invoice Value", "Place Of Supply",
             "Applicable % of Tax Rate", "Rate", "Taxable Value", "Cess Amount",
             "E-Commerce GSTIN"],
    "b2cs": ["Type", "Place Of Supply", "Applicable % of Tax Rate", "Rate", "Taxable Value",
             "Cess Amount", "E-Commerce GSTIN"],
    "cdnr": ["GSTIN/UIN of Recipient", "Receiver Name", "Note Number", "Note Date",
             "Note Type", "Place Of Supply", "Reverse Charge", "Note Supply Type",
             "Note Value", "Applicable % of Tax Rate", "Rate", "Taxable Value", "Cess Amount"],
    "cdnur": ["UR Type", "Note Number", "Note Date", "Note Type", "Place Of Supply",
              "Note Value", "Applicable % of Tax Rate", "Rate", "Taxable Value",
              "Cess Amount"],
    "exp": ["Export Type", "Invoice Number", "Invoice date", "Invoice Value", "Port Code",
            "Shipping Bill Number", "Shipping Bill Date", "Rate", "Taxable Value",
            "Cess Amount"],
    "exemp": ["Description", "Nil Rated Supplies", "Exempted(other than nil rated/non GST supply)",
              "Non-GST Supplies"],
    "hsn(b2b)": ["HSN", "Description", "UQC", "Total Quantity", "Total Value", "Rate",
                 "Taxable Value", "Integrated Tax Amount", "Central Tax Amount",
                 "State/UT Tax Amount", "Cess Amount"],
    "hsn(b2c)": ["HSN", "Description", "UQC", "Total Quantity", "Total Value", "Rate",
                 "Taxable Value", "Integrated Tax Amount", "Central Tax Amount",
                 "State/UT Tax Amount", "Cess Amount"],
    "docs": ["Nature of Document", "Sr. No. From", "Sr. No. To", "Total Number", "Cancelled"],
}  # fmt: skip
# The tool's value lists, for the tables' closed columns.
VALUES = {
    "Reverse Charge": {"Y", "N"},
    "Invoice Type": {"Regular B2B", "SEZ supplies with payment", "SEZ supplies without payment",
                     "Deemed Exp", "Intra-State supplies attracting IGST"},
    "Note Supply Type": {"Regular B2B", "SEZ supplies with payment",
                         "SEZ supplies without payment", "Deemed Exp",
                         "Intra-State supplies attracting IGST"},
    "Note Type": {"C", "D"},
    "UR Type": {"B2CL", "EXPWP", "EXPWOP"},
    "Type": {"OE", "E"},
    "Export Type": {"WPAY", "WOPAY"},
    "Description": {"Inter-State supplies to registered persons",
                    "Intra-State supplies to registered persons",
                    "Inter-State supplies to unregistered persons",
                    "Intra-State supplies to unregistered persons"},
    "Nature of Document": {"Invoices for outward supply",
                           "Invoices for inward supply from unregistered person",
                           "Revised Invoice", "Debit Note", "Credit Note", "Receipt voucher",
                           "Payment Voucher", "Refund voucher",
                           "Delivery Challan for job work",
                           "Delivery Challan for supply on approval",
                           "Delivery Challan in case of liquid gas",
                           "Delivery Challan in cases other than by way of supply "
                           "(excluding at S no. 9 to 11)"},
}  # fmt: skip
NATURE = {"INV": "Invoices for outward supply", "BOS": "Invoices for outward supply",
          "CN": "Credit Note"}  # fmt: skip


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """`YYYY-MM` as [first instant, first instant of the next month) in the shop's zone."""
    year, number = (int(part) for part in month.split("-"))
    start = timezone.make_aware(datetime(year, number, 1))
    end = timezone.make_aware(datetime(year + number // 12, number % 12 + 1, 1))
    return start, end


def rate_text(rate: Decimal) -> str:
    """A rate as the tool writes it: `12`, `0.25`."""
    return f"{rate.normalize():f}"


def _place(document: TaxDocument) -> str:
    return f"{document.place_of_supply}-{document.place_of_supply_name}"


def _date(document: TaxDocument) -> str:
    return timezone.localtime(document.issued_at).strftime("%d-%b-%Y")


@dataclass(frozen=True)
class Sale:
    """Where an invoice (and so its credit notes) goes in GSTR-1."""

    table: str  # b2b, b2cl, b2cs or exp
    registered: bool
    inter_state: bool


def export_type(invoice: TaxDocument) -> str:
    """WOPAY under the shop's LUT, WPAY with IGST paid."""
    return "WOPAY" if issued_zero_rated(invoice) else "WPAY"


def ur_type(sale: "Sale", invoice: TaxDocument) -> str:
    """cdnur's UR Type of a credit note against a B2CL invoice or an export."""
    return (
        "B2CL"
        if sale.table == "b2cl"
        else {"WOPAY": "EXPWOP", "WPAY": "EXPWP"}[export_type(invoice)]
    )


def _sale_of(invoice: TaxDocument) -> Sale:
    registered = bool(invoice.buyer.get("gstin"))
    inter = invoice.place_of_supply != invoice.seller.get("state_code")
    if registered:
        return Sale("b2b", True, inter)
    if invoice.place_of_supply == EXPORT:
        return Sale("exp", False, True)
    if inter and invoice.total > settings.GST_B2CL_LIMIT:
        return Sale("b2cl", False, True)
    return Sale("b2cs", False, inter)


class Return:
    """The month's tables, filled a document at a time."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in HEADERS}
        # (place, rate) → taxable value and each tax, credit notes netted in.
        self.b2cs: dict[tuple[str, Decimal], dict[str, Decimal]] = defaultdict(
            lambda: defaultdict(lambda: ZERO)
        )
        self.exempt: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.hsn: dict[tuple[str, str, str, Decimal], dict] = {}

    def add(self, document: TaxDocument) -> None:
        note = document.kind == DocumentKind.CREDIT_NOTE
        invoice = document.corrects if note and document.corrects else document
        sale = _sale_of(invoice)
        sign = -1 if note else 1
        lines = list(document.lines.all())
        for line in lines:
            self._hsn(line, sign, "hsn(b2b)" if sale.registered else "hsn(b2c)")
            if line.gst_rate is None:
                self.exempt[_exempt_row(sale)] += sign * line.taxable_value
        by_rate: dict[Decimal, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for line in lines:
            if line.gst_rate is not None:
                for key in TAXES:
                    by_rate[line.gst_rate][key] += getattr(line, key)
        for rate, sums in sorted(by_rate.items()):
            if sale.table == "b2cs":  # credit notes netted in, never in cdnur
                for key, value in sums.items():
                    self.b2cs[(_place(invoice), rate)][key] += sign * value
            else:
                self._taxable(document, invoice, sale, note, rate, sums["taxable_value"])

    def _taxable(self, document, invoice, sale: Sale, note: bool, rate, taxable) -> None:
        common = {"Applicable % of Tax Rate": "", "Rate": rate_text(rate),
                  "Taxable Value": taxable, "Cess Amount": ZERO}  # fmt: skip
        if note and sale.table == "b2b":
            self.rows["cdnr"].append(
                {"GSTIN/UIN of Recipient": invoice.buyer["gstin"],
                 "Receiver Name": invoice.buyer["name"], "Note Number": document.number,
                 "Note Date": _date(document), "Note Type": "C",
                 "Place Of Supply": _place(invoice), "Reverse Charge": "N",
                 "Note Supply Type": "Regular B2B", "Note Value": document.total} | common
            )  # fmt: skip
        elif note:
            self.rows["cdnur"].append(
                {"UR Type": ur_type(sale, invoice), "Note Number": document.number,
                 "Note Date": _date(document), "Note Type": "C",
                 "Place Of Supply": _place(invoice), "Note Value": document.total} | common
            )  # fmt: skip
        elif sale.table == "b2b":
            self.rows["b2b"].append(
                {"GSTIN/UIN of Recipient": invoice.buyer["gstin"],
                 "Receiver Name": invoice.buyer["name"], "Invoice Number": document.number,
                 "Invoice date": _date(document), "Invoice Value": document.total,
                 "Place Of Supply": _place(document), "Reverse Charge": "N",
                 "Invoice Type": "Regular B2B", "E-Commerce GSTIN": ""} | common
            )  # fmt: skip
        elif sale.table == "b2cl":
            self.rows["b2cl"].append(
                {"Invoice Number": document.number, "Invoice date": _date(document),
                 "Invoice Value": document.total, "Place Of Supply": _place(document),
                 "E-Commerce GSTIN": ""} | common
            )  # fmt: skip
        else:
            self.rows["exp"].append(
                {"Export Type": export_type(document),
                 "Invoice Number": document.number, "Invoice date": _date(document),
                 "Invoice Value": document.total, "Port Code": "", "Shipping Bill Number": "",
                 "Shipping Bill Date": "", "Rate": rate_text(rate), "Taxable Value": taxable,
                 "Cess Amount": ZERO}
            )  # fmt: skip

    def _hsn(self, line: TaxDocumentLine, sign: int, table: str) -> None:
        rate = line.gst_rate if line.gst_rate is not None else ZERO
        key = (table, line.hsn_or_sac, line.uqc, rate)
        row = self.hsn.setdefault(
            key,
            {"HSN": line.hsn_or_sac, "Description": line.description[:30],
             "UQC": "NOS-NUMBERS" if line.uqc == "NOS" else "NA", "Total Quantity": 0,
             "Total Value": ZERO, "Rate": rate_text(rate), "Taxable Value": ZERO,
             "Integrated Tax Amount": ZERO, "Central Tax Amount": ZERO,
             "State/UT Tax Amount": ZERO, "Cess Amount": ZERO},
        )  # fmt: skip
        row["Total Quantity"] += sign * line.quantity
        row["Total Value"] += sign * line.total
        row["Taxable Value"] += sign * line.taxable_value
        row["Integrated Tax Amount"] += sign * line.igst
        row["Central Tax Amount"] += sign * line.cgst
        row["State/UT Tax Amount"] += sign * line.sgst

    def tables(self, documents: list[TaxDocument]) -> dict[str, list[dict]]:
        rows = self.rows
        rows["b2cs"] = [
            {"Type": "OE", "Place Of Supply": place, "Applicable % of Tax Rate": "",
             "Rate": rate_text(rate), "Taxable Value": sums["taxable_value"],
             "Cess Amount": ZERO, "E-Commerce GSTIN": ""}
            for (place, rate), sums in sorted(self.b2cs.items())
        ]  # fmt: skip
        rows["exemp"] = [
            {"Description": description, "Nil Rated Supplies": ZERO,
             "Exempted(other than nil rated/non GST supply)": amount, "Non-GST Supplies": ZERO}
            for description, amount in sorted(self.exempt.items())
        ]  # fmt: skip
        for (table, *_), row in sorted(self.hsn.items()):
            rows[table].append(row)
        rows["docs"] = _docs(documents)
        return rows


def _exempt_row(sale: Sale) -> str:
    reach = "Inter-State" if sale.inter_state else "Intra-State"
    return f"{reach} supplies to {'registered' if sale.registered else 'unregistered'} persons"


def month_documents(month: str) -> list[TaxDocument]:
    start, end = month_bounds(month)
    return list(
        TaxDocument.objects.filter(issued_at__gte=start, issued_at__lt=end)
        .select_related("corrects")
        .prefetch_related("lines")
        .order_by("series", "serial")
    )


def gstr1_tables(month: str) -> dict[str, list[dict]]:
    documents = month_documents(month)
    gstr1 = Return()
    for document in documents:
        gstr1.add(document)
    return gstr1.tables(documents)


def _docs(documents: list[TaxDocument]) -> list[dict]:
    by_series: dict[str, list[TaxDocument]] = defaultdict(list)
    for document in documents:
        by_series[document.series].append(document)
    return [
        {"Nature of Document": NATURE[series], "Sr. No. From": issued[0].number,
         "Sr. No. To": issued[-1].number, "Total Number": len(issued), "Cancelled": 0}
        for series, issued in sorted(by_series.items())
    ]  # fmt: skip
