"""The month's GSTR-1 as the GST portal's JSON (what the Offline Tool generates to upload):
the same documents in the same tables as the CSVs (gstr1.py), with each rate's taxes.
Amounts are rupees as numbers, dates `dd-mm-yyyy`, places the two-digit state code."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .gstr1 import ZERO, Return, _sale_of, export_type, month_bounds, month_documents, ur_type
from .models import DocumentKind, TaxDocument

# nil's supply types, by (inter-state, registered).
NIL_TYPES = {(True, True): "INTRB2B", (False, True): "INTRAB2B",
             (True, False): "INTRB2C", (False, False): "INTRAB2C"}  # fmt: skip


def _amount(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def _date(document: TaxDocument) -> str:
    return timezone.localtime(document.issued_at).strftime("%d-%m-%Y")


def _items(document: TaxDocument, *, export: bool = False) -> list[dict]:
    """Per rate: taxable value and each tax (`num` as the portal numbers items)."""
    sums: dict[Decimal, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for line in document.lines.all():
        if line.gst_rate is None:
            continue
        for key, value in (("txval", line.taxable_value), ("iamt", line.igst),
                           ("camt", line.cgst), ("samt", line.sgst)):  # fmt: skip
            sums[line.gst_rate][key] += value
    items: list[dict] = []
    for number, (rate, total) in enumerate(sorted(sums.items()), start=1):
        detail: dict[str, float] = {
            "txval": _amount(total["txval"]), "rt": float(rate), "csamt": 0.0
        }  # fmt: skip
        if export or total["iamt"]:
            detail["iamt"] = _amount(total["iamt"])
        else:
            detail |= {"camt": _amount(total["camt"]), "samt": _amount(total["samt"])}
        items.append(dict(detail) if export else {"num": number, "itm_det": detail})
    return items


def gstr1_json(month: str) -> dict:
    documents = month_documents(month)
    start, _ = month_bounds(month)
    tables = Return()
    for document in documents:
        tables.add(document)
    csv_tables = tables.tables(documents)  # b2cs, nil, hsn and docs as the CSVs sum them
    b2b: dict[str, list] = defaultdict(list)
    cdnr: dict[str, list] = defaultdict(list)
    b2cl: dict[str, list] = defaultdict(list)
    exports: dict[str, list] = defaultdict(list)
    cdnur = []
    for document in documents:
        note = document.kind == DocumentKind.CREDIT_NOTE
        invoice = document.corrects if note and document.corrects else document
        sale = _sale_of(invoice)
        items = _items(document, export=sale.table == "exp" and not note)
        if not items or sale.table == "b2cs":
            continue  # exempt only, or summed in b2cs
        head = {"val": _amount(document.total), "pos": invoice.place_of_supply}
        if note:
            entry = {"ntty": "C", "nt_num": document.number, "nt_dt": _date(document), **head,
                     "itms": items}  # fmt: skip
            if sale.table == "b2b":
                cdnr[invoice.buyer["gstin"]].append(entry | {"rchrg": "N", "inv_typ": "R"})
            else:
                cdnur.append({"typ": ur_type(sale, invoice), **entry})
        elif sale.table == "b2b":
            b2b[invoice.buyer["gstin"]].append(
                {
                    "inum": document.number,
                    "idt": _date(document),
                    **head,
                    "rchrg": "N",
                    "inv_typ": "R",
                    "itms": items,
                }
            )
        elif sale.table == "b2cl":
            b2cl[invoice.place_of_supply].append(
                {
                    "inum": document.number,
                    "idt": _date(document),
                    "val": head["val"],
                    "itms": items,
                }
            )
        else:
            exports[export_type(document)].append(
                {
                    "inum": document.number,
                    "idt": _date(document),
                    "val": head["val"],
                    "itms": items,
                }
            )
    return {
        "gstin": settings.GST_SELLER_GSTIN,
        "fp": f"{start:%m%Y}",
        "b2b": [{"ctin": ctin, "inv": inv} for ctin, inv in sorted(b2b.items())],
        "b2cl": [{"pos": pos, "inv": inv} for pos, inv in sorted(b2cl.items())],
        "b2cs": _b2cs(tables),
        "cdnr": [{"ctin": ctin, "nt": notes} for ctin, notes in sorted(cdnr.items())],
        "cdnur": cdnur,
        "exp": [{"exp_typ": typ, "inv": inv} for typ, inv in sorted(exports.items())],
        "nil": {"inv": _nil(csv_tables["exemp"])},
        "hsn": {"hsn_b2b": _hsn(csv_tables["hsn(b2b)"]), "hsn_b2c": _hsn(csv_tables["hsn(b2c)"])},
        "doc_issue": {"doc_det": _doc_issue(csv_tables["docs"])},
    }


def _b2cs(tables: Return) -> list[dict]:
    entries = []
    for (place, rate), sums in sorted(tables.b2cs.items()):
        inter = bool(sums["igst"])
        entry = {"sply_ty": "INTER" if inter else "INTRA", "pos": place[:2], "typ": "OE",
                 "txval": _amount(sums["taxable_value"]), "rt": float(rate), "csamt": 0.0}  # fmt: skip
        if inter:
            entry["iamt"] = _amount(sums["igst"])
        else:
            entry |= {"camt": _amount(sums["cgst"]), "samt": _amount(sums["sgst"])}
        entries.append(entry)
    return entries


def _nil(rows: list[dict]) -> list[dict]:
    inv = []
    for row in rows:
        description = row["Description"]
        key = (description.startswith("Inter"), " registered" in description)
        inv.append({"sply_ty": NIL_TYPES[key], "nil_amt": 0.0, "ngsup_amt": 0.0,
                    "expt_amt": _amount(row["Exempted(other than nil rated/non GST supply)"])})  # fmt: skip
    return inv


def _hsn(rows: list[dict]) -> list[dict]:
    return [
        {"num": n, "hsn_sc": row["HSN"], "desc": row["Description"],
         "uqc": row["UQC"].split("-")[0], "qty": row["Total Quantity"],
         "rt": float(row["Rate"]), "txval": _amount(row["Taxable Value"]),
         "iamt": _amount(row["Integrated Tax Amount"]),
         "camt": _amount(row["Central Tax Amount"]),
         "samt": _amount(row["State/UT Tax Amount"]), "csamt": 0.0}
        for n, row in enumerate(rows, start=1)
    ]  # fmt: skip


def _doc_issue(rows: list[dict]) -> list[dict]:
    by_nature: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_nature[row["Nature of Document"]].append(row)
    numbers = {"Invoices for outward supply": 1, "Credit Note": 5}
    return [
        {"doc_num": numbers[nature], "doc_typ": nature,
         "docs": [{"num": n, "from": row["Sr. No. From"], "to": row["Sr. No. To"],
                   "totnum": row["Total Number"], "cancel": 0,
                   "net_issue": row["Total Number"]} for n, row in enumerate(series, start=1)]}
        for nature, series in sorted(by_nature.items(), key=lambda item: numbers[item[0]])
    ]  # fmt: skip
