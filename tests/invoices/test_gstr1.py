"""GSTR-1 as the accountant files it: every table the Returns Offline Tool imports, read back
and checked against the tool's headers (in order) and value lists, and added up against the
month's documents; exports zero-rated under LUT; the portal's JSON."""

import csv
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from invoices.gstr1 import HEADERS, VALUES
from invoices.models import TaxDocument
from tests.factories import PaymentFactory, VariantFactory, booking_cart_of
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.conftest import act
from tests.payments.gateways.razorpay.fakes import ADDRESS, mock_order_create, mock_refunds

pytestmark = pytest.mark.django_db

REGISTERED = ADDRESS | {"gstin": "29AAGCB7383J1Z4"}
ABROAD = ADDRESS | {"country": "US", "state": "CA", "city": "San Jose", "postal_code": "95112"}


def sold(api, rsps, *, price: str, quantity: int = 1, address=ADDRESS) -> TaxDocument:
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price=price, stock=20, product__hsn_code="7418"), quantity)
    answer = create_payment(api, shipping_address=address, billing_address=address)
    assert answer.status_code == 201, answer.content
    order_id = verify(api, answer.json()["razorpay_order_id"]).json()["order_id"]
    return TaxDocument.objects.get(order_id=order_id)


def refund(staff, document: TaxDocument, amount: str, capture) -> None:
    with capture(execute=True):
        act(staff, "orders/order", "refund_part", document.order_id, apply="1",
            amount=amount, reason="r")  # fmt: skip


@pytest.fixture
def month(user, api, staff, rsps, settings, django_capture_on_commit_callbacks):
    """A month with a sale of each kind and a credit note of most."""
    settings.GST_B2CL_LIMIT = 6000
    mock_refunds(rsps)
    small = sold(api, rsps, price="1180.00", quantity=5)  # to Karnataka, unregistered: b2cs
    refund(staff, small, "118.00", django_capture_on_commit_callbacks)
    sold(api, rsps, price="1180.00", address=REGISTERED)  # b2b
    large = sold(api, rsps, price="7080.00")  # inter-state, unregistered, above the limit: b2cl
    refund(staff, large, "236.00", django_capture_on_commit_callbacks)
    export = sold(api, rsps, price="1180.00", address=ABROAD)  # exp, under LUT
    refund(staff, export, "100.00", django_capture_on_commit_callbacks)
    PaymentFactory(cart=booking_cart_of(user), provider="razorpay", state="paid")  # exempt
    return f"{small.issued_at:%Y-%m}"


def read(folder, month: str, name: str) -> tuple[list[str], list[dict]]:
    with (folder / f"gstr1-{month}-{name}.csv").open(newline="") as file:
        rows = list(csv.reader(file))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_every_table_is_as_the_offline_tool_imports_it_and_adds_up(month, tmp_path):
    call_command("gstr1_export", month=month, out=str(tmp_path))
    tables = {}
    for name, headers in HEADERS.items():
        found, rows = read(tmp_path, month, name)
        assert found == headers, name
        for row in rows:
            for column, allowed in VALUES.items():
                free_text = name.startswith("hsn") and column == "Description"
                if column in row and not free_text:
                    assert row[column] in allowed, (name, column, row[column])
            if "Rate" in row:
                assert re.fullmatch(r"\d+(\.\d*[1-9])?", row["Rate"]), row["Rate"]
            for column in ("Invoice date", "Note Date"):
                if column in row:
                    assert re.fullmatch(r"\d\d-[A-Z][a-z]{2}-\d{4}", row[column])
            if row.get("Place Of Supply"):
                assert re.fullmatch(r"\d\d-[A-Za-z &]+", row["Place Of Supply"])
        tables[name] = rows

    def taxable(name):
        return sum((Decimal(row["Taxable Value"]) for row in tables[name]), Decimal("0"))

    documents = TaxDocument.objects.all()
    sales = sum(d.taxable_value for d in documents if d.kind != "CREDIT_NOTE")
    notes = sum(d.taxable_value for d in documents if d.kind == "CREDIT_NOTE")
    exempt = sum(
        Decimal(row["Exempted(other than nil rated/non GST supply)"]) for row in tables["exemp"]
    )
    reported = (
        taxable("b2b") + taxable("b2cl") + taxable("exp") + taxable("b2cs") + exempt
        - taxable("cdnr") - taxable("cdnur")
    )  # fmt: skip
    assert reported == sales - notes
    assert taxable("hsn(b2b)") + taxable("hsn(b2c)") == sales - notes
    assert [row["UR Type"] for row in tables["cdnur"]] == ["B2CL", "EXPWOP"]
    assert not tables["cdnr"]  # the registered buyer's invoice has no credit note
    assert [row["Export Type"] for row in tables["exp"]] == ["WOPAY"]
    assert [row["Description"] for row in tables["exemp"]] == [
        "Intra-State supplies to unregistered persons"
    ]
    goods = {row["UQC"]: row for row in tables["hsn(b2c)"] if row["HSN"] == "7418"}
    # 7 units sold to unregistered buyers; value-only credit notes take no units off.
    assert goods["NOS-NUMBERS"]["Total Quantity"] == "7"
    assert {row["UQC"] for row in tables["hsn(b2c)"] if row["HSN"] != "7418"} == {"NA"}
    # A row per series: bills of supply (BOS) are invoices for outward supply too.
    assert [(row["Nature of Document"], row["Sr. No. From"][:3], int(row["Total Number"]))
            for row in tables["docs"]] == [
        ("Invoices for outward supply", "BOS", 1),
        ("Credit Note", "CN/", 3),
        ("Invoices for outward supply", "INV", 4),
    ]  # fmt: skip


def test_the_portals_json_carries_the_same_return(month, tmp_path, settings):
    call_command("gstr1_export", month=month, out=str(tmp_path), format="json")
    body = json.loads((tmp_path / f"gstr1-{month}.json").read_text())
    assert body["gstin"] == settings.GST_SELLER_GSTIN and re.fullmatch(r"\d{6}", body["fp"])
    (b2b,) = body["b2b"]
    assert b2b["ctin"] == "29AAGCB7383J1Z4" and b2b["inv"][0]["inv_typ"] == "R"
    assert b2b["inv"][0]["itms"][0]["itm_det"]["iamt"] > 0
    assert [note["typ"] for note in body["cdnur"]] == ["B2CL", "EXPWOP"]
    assert body["exp"][0]["exp_typ"] == "WOPAY" and body["exp"][0]["inv"][0]["itms"][0]["iamt"] == 0
    assert body["nil"]["inv"][0]["sply_ty"] == "INTRAB2C"
    assert {entry["sply_ty"] for entry in body["b2cs"]} == {"INTER"}
    assert body["hsn"]["hsn_b2b"] and body["hsn"]["hsn_b2c"]
    assert [d["doc_typ"] for d in body["doc_issue"]["doc_det"]] == [
        "Invoices for outward supply", "Credit Note",
    ]  # fmt: skip


def test_an_export_is_zero_rated_under_lut_unless_the_shop_pays_igst(api, rsps, settings):
    zero = sold(api, rsps, price="1180.00", address=ABROAD)
    assert (zero.place_of_supply, zero.place_of_supply_name) == ("96", "Other Countries")
    assert (zero.igst, zero.taxable_value) == (Decimal("0.00"), Decimal("1180.00"))
    body = api.get(f"/api/orders/{zero.order_id}/invoice/").json()
    assert "without payment of integrated tax" in body["endorsement"]
    assert body["lines"][0]["igst_rate"] == "0"
    settings.GST_EXPORT_WITH_PAYMENT = True
    paid = sold(api, rsps, price="1180.00", address=ABROAD)
    assert (paid.igst, paid.taxable_value) == (Decimal("180.00"), Decimal("1000.00"))
    assert "endorsement" not in api.get(f"/api/orders/{paid.order_id}/invoice/").json()
