"""A month's settlement report: one row per line (date, settlement, UTR, type, provider id,
our order or booking and its tax documents, gross, fee, tax, net), a subtotal row after
each settlement's lines (what reached the bank under its UTR), then the month's totals by
type and in all, the fees and the GST on them being the shop's input tax credit, and last
the payments of providers that report no settlements (PhonePe), in a section of their own.
Written by `settlement_report` and downloaded from admin."""

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Protocol

from config.exceptions import Invalid
from config.spreadsheets import SafeWriter
from invoices.models import TaxDocument

from .models import LineKind, Settlement, SettlementLine
from .selectors import (
    line_bought,
    month_lines,
    month_unreported_payments,
    payment_bought,
    payment_documents,
)

COLUMNS = [
    "date", "settlement", "utr", "type", "provider_id", "ours", "tax_documents", "gross", "fee",
    "tax", "net",
]  # fmt: skip
MONEY_COLUMNS = COLUMNS[7:]
UNREPORTED = "not reported by the provider"
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def report_month(text: str) -> date:
    """`YYYY-MM` as the month's first day; anything else is refused."""
    match = MONTH.fullmatch(text or "")
    if not match:
        raise Invalid("The month is YYYY-MM, e.g. 2026-11.")
    return date(int(match[1]), int(match[2]), 1)


def _money(line: SettlementLine) -> dict[str, Decimal]:
    net = line.credit - line.debit
    return {"gross": net + line.fee, "fee": line.fee, "tax": line.tax, "net": net}


class Writable(Protocol):  # a file, or an HTTP response being written
    def write(self, text: str, /) -> object: ...


def _documents(line: SettlementLine, credit_notes: dict[str, str]) -> str:
    """The tax documents of what the line's money was for, and the credit note of the
    refund or dispute it is."""
    numbers = payment_documents(line.payment) if line.payment is not None else []
    for source in (f"refund:{line.refund_id}", f"dispute:{line.dispute_id}"):
        if source in credit_notes:
            numbers.append(credit_notes[source])
    return "; ".join(numbers)


def _credit_notes(lines) -> dict[str, str]:
    """The credit notes of the month's refunds and disputes, by what they record."""
    named = lines.values_list("refund_id", "dispute_id")
    sources = {f"refund:{r}" for r, _ in named if r} | {f"dispute:{d}" for _, d in named if d}
    documents = TaxDocument.objects.filter(source__in=sources)
    return {
        document.source or "": document.number for document in documents.only("source", "number")
    }


def _subtotal(writer: SafeWriter, settlement: Settlement, sums: dict[str, Decimal]) -> None:
    """What reached the bank under the settlement's UTR (its amount), beside what its lines
    add up to."""
    writer.writerow(
        ["", settlement.provider_settlement_id, settlement.utr, "subtotal: paid to the bank",
         "", "", "", sums["gross"], sums["fee"], sums["tax"], settlement.amount]
    )  # fmt: skip


def _unreported(writer: SafeWriter, first_day: date) -> None:
    payments = list(month_unreported_payments(first_day))
    if not payments:
        return
    writer.writerow(["", "", "", f"payments {UNREPORTED}", "", "", "", "", "", "", ""])
    for payment in payments:
        writer.writerow(
            [f"{payment.created_at:%Y-%m-%d}", UNREPORTED, "", "payment",
             payment.provider_payment_id or "",
             "; ".join(label for _, _, label in payment_bought(payment)),
             "; ".join(payment_documents(payment)), payment.captured_amount, "", "", ""]
        )  # fmt: skip


def settlement_report_write(first_day: date, out: Writable) -> int:
    """The month's report as CSV into `out`; how many settlement lines it has."""
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    lines = month_lines(first_day)
    credit_notes = _credit_notes(lines)
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    count = 0
    current: Settlement | None = None
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines.iterator(chunk_size=1000):
        money = _money(line)
        settlement = line.settlement
        assert settlement is not None  # month_lines reads lines of settlements only
        if current is not None and current.pk != settlement.pk:
            _subtotal(writer, current, sums)
            sums = defaultdict(Decimal)
        current = settlement
        writer.writerow(
            [
                f"{settlement.settled_at:%Y-%m-%d}" if settlement.settled_at else "",
                settlement.provider_settlement_id,
                settlement.utr,
                line.kind,
                line.provider_entity_id,
                "; ".join(label for _, _, label in line_bought(line)),
                _documents(line, credit_notes),
                *money.values(),
            ]
        )
        for key in (line.kind, "all"):
            for column, amount in money.items():
                totals[key][column] += amount
        for column, amount in money.items():
            sums[column] += amount
        count += 1
    if current is not None:
        _subtotal(writer, current, sums)
    for kind in [*LineKind.values, "all"]:
        if kind in totals:
            label = "total" if kind == "all" else f"total {kind}"
            writer.writerow(
                ["", "", "", label, "", "", "", *(totals[kind][c] for c in MONEY_COLUMNS)]
            )
    tax = totals["all"]["tax"] if count else Decimal("0.00")
    writer.writerow(["", "", "", "input tax credit (GST on fees)", "", "", "", "", "", tax, ""])
    _unreported(writer, first_day)
    return count
