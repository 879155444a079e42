"""A tax document as its reader sees it: the JSON body the API answers and the PDF is drawn
from, with the amount in words (Indian numbering: lakh, crore)."""

from decimal import Decimal

from num2words import num2words  # type: ignore[import-untyped]

from .models import DocumentKind, TaxDocument

EXPORT = "96"  # GSTR-1's place of supply for exports
# Rule 46(p)'s words for a zero-rated export under a letter of undertaking.
LUT_ENDORSEMENT = (
    "Supply meant for export under letter of undertaking without payment of integrated tax"
)

TITLES = {
    DocumentKind.TAX_INVOICE: "Tax invoice",
    DocumentKind.BILL_OF_SUPPLY: "Bill of supply",
    DocumentKind.INVOICE_CUM_BILL: "Invoice-cum-bill of supply",
    DocumentKind.CREDIT_NOTE: "Credit note",
}


def amount_in_words(amount: Decimal) -> str:
    rupees, paise = divmod(int(amount * 100), 100)
    words = f"Rupees {num2words(rupees, lang='en_IN')}"
    if paise:
        words += f" and {num2words(paise, lang='en_IN')} paise"
    return words[0].upper() + words[1:] + " only"


def issued_zero_rated(document: TaxDocument) -> bool:
    """An export issued under the shop's LUT: no integrated tax charged (a credit note
    follows its invoice)."""
    return document.place_of_supply == EXPORT and not document.igst


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _rate(value: Decimal | None) -> str | None:
    """A rate as the law prints it: `6`, `2.5`, `0.25`."""
    return None if value is None else f"{value.normalize():f}"


def _rates(rate: Decimal | None, *, same_state: bool, zero_rated: bool) -> dict[str, str | None]:
    """Each tax's rate on its own (Rule 46): CGST and SGST half each within the shop's
    state, IGST all of it across states (0 on an export under LUT); none when exempt."""
    if rate is None:
        return {"cgst_rate": None, "sgst_rate": None, "igst_rate": None}
    if zero_rated:
        return {"cgst_rate": None, "sgst_rate": None, "igst_rate": "0"}
    if same_state:
        return {"cgst_rate": _rate(rate / 2), "sgst_rate": _rate(rate / 2), "igst_rate": None}
    return {"cgst_rate": None, "sgst_rate": None, "igst_rate": _rate(rate)}


def document_body(document: TaxDocument) -> dict:
    """Every field the law asks a tax invoice, bill of supply or credit note to carry."""
    same_state = document.place_of_supply == document.seller.get("state_code")
    zero_rated = issued_zero_rated(document)
    body = {
        "id": document.pk,
        "number": document.number,
        "type": document.kind,
        "title": TITLES[DocumentKind(document.kind)],
        "date": document.issued_at.date().isoformat(),
        "seller": document.seller,
        "buyer": document.buyer,
        "place_of_supply": {
            "state_code": document.place_of_supply,
            "state": document.place_of_supply_name,
        },
        "lines": [
            {
                "description": line.description,
                "hsn_or_sac": line.hsn_or_sac,
                # A credit note for money only carries value and no quantity.
                "quantity": line.quantity or None,
                "uqc": line.uqc,
                "taxable_value": _money(line.taxable_value),
                "gst_rate": None if line.gst_rate is None else _money(line.gst_rate),
                **_rates(line.gst_rate, same_state=same_state, zero_rated=zero_rated),
                "cgst": _money(line.cgst),
                "sgst": _money(line.sgst),
                "igst": _money(line.igst),
                "total": _money(line.total),
            }
            for line in document.lines.all()
        ],
        "totals": {
            key: _money(getattr(document, key))
            for key in ("taxable_value", "cgst", "sgst", "igst", "total")
        },
        "amount_in_words": amount_in_words(document.total),
    }
    if zero_rated:
        body["endorsement"] = LUT_ENDORSEMENT
    if document.kind == DocumentKind.CREDIT_NOTE and document.corrects is not None:
        body["corrects"] = {
            "number": document.corrects.number,
            "date": document.corrects.issued_at.date().isoformat(),
        }
    else:
        body["credit_notes"] = [
            {"id": note.pk, "number": note.number, "date": note.issued_at.date().isoformat(),
             "amount": _money(note.total)}
            for note in document.credit_notes.all()
        ]  # fmt: skip
    return body
