"""A month's settlement report: one row per line (date, settlement, UTR, type, provider id,
our order or booking, gross, fee, tax, net), then the month's totals by type and in all,
the fees and the GST on them being the shop's input tax credit. Written by
`settlement_report` and downloaded from admin."""

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Protocol

from config.exceptions import Invalid
from config.spreadsheets import SafeWriter

from .models import LineKind, SettlementLine
from .selectors import line_bought, month_lines

COLUMNS = [
    "date", "settlement", "utr", "type", "provider_id", "ours", "gross", "fee", "tax", "net",
]  # fmt: skip
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


def settlement_report_write(first_day: date, out: Writable) -> int:
    """The month's report as CSV into `out`; how many lines it has."""
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    count = 0
    for line in month_lines(first_day).iterator(chunk_size=1000):
        money = _money(line)
        settlement = line.settlement
        assert settlement is not None  # month_lines reads lines of settlements only
        writer.writerow(
            [
                f"{settlement.settled_at:%Y-%m-%d}" if settlement.settled_at else "",
                settlement.provider_settlement_id,
                settlement.utr,
                line.kind,
                line.provider_entity_id,
                "; ".join(label for _, _, label in line_bought(line)),
                *money.values(),
            ]
        )
        for key in (line.kind, "all"):
            for column, amount in money.items():
                totals[key][column] += amount
        count += 1
    for kind in [*LineKind.values, "all"]:
        if kind in totals:
            label = "total" if kind == "all" else f"total {kind}"
            writer.writerow(["", "", "", label, "", "", *(totals[kind][c] for c in COLUMNS[6:])])
    tax = totals["all"]["tax"] if count else Decimal("0.00")
    writer.writerow(["", "", "", "input tax credit (GST on fees)", "", "", "", "", tax, ""])
    return count
