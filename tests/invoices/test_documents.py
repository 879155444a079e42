"""Tax documents as a shopper, staff and the accountant meet them, on PostgreSQL: issued
with the sale that earned them, numbered without gaps, never changed, read back from their
PDF, corrected by credit notes, exported for GSTR-1."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.db import DatabaseError, transaction
from pypdf import PdfReader

from invoices.models import TaxDocument
from payments.models import Payment
from tests.factories import PaymentFactory, VariantFactory, booking_cart_of
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.conftest import act
from tests.payments.gateways.razorpay.fakes import ADDRESS, mock_order_create, mock_refunds

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def paid_order(api, rsps, *, price="1180.00", quantity=1, **body) -> int:
    mock_order_create(rsps)
    variant = VariantFactory(price=price, stock=5, product__hsn_code="7418")
    add_to_cart(api, variant, quantity)
    answer = create_payment(api, **body)
    assert answer.status_code == 201, answer.content
    return verify(api, answer.json()["razorpay_order_id"]).json()["order_id"]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_paid_order_has_one_tax_invoice_whose_parts_add_up_to_what_was_paid(api, rsps):
    order_id = paid_order(api, rsps, quantity=2)
    invoice = api.get(f"/api/orders/{order_id}/invoice/").json()
    assert invoice["type"] == "TAX_INVOICE" and invoice["number"].startswith("INV/")
    assert invoice["number"].endswith("/000001") and len(invoice["number"]) <= 16
    assert invoice["seller"]["gstin"] == "27AAPFU0939F1ZV"
    # Shipped to Karnataka from a Maharashtra shop: IGST.
    assert invoice["place_of_supply"] == {"state_code": "29", "state": "Karnataka"}
    (line,) = invoice["lines"]
    assert line["hsn_or_sac"] == "7418" and line["quantity"] == 2
    assert (line["taxable_value"], line["igst"], line["total"]) == ("2000.00", "360.00", "2360.00")
    assert invoice["totals"]["total"] == str(Payment.objects.get().amount)
    assert invoice["amount_in_words"] == "Rupees two thousand, three hundred and sixty only"
    assert TaxDocument.objects.count() == 1


def test_the_pdf_carries_what_the_law_asks_and_renders(api, rsps):
    order_id = paid_order(api, rsps)
    answer = api.get(f"/api/orders/{order_id}/invoice/?format=pdf")
    assert answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    document = TaxDocument.objects.get()
    for needed in (
        "Tax invoice", document.number, "27AAPFU0939F1ZV", "Paycart Demo Puja Store", "7418",
        "Asha Rao", "Place of supply: Karnataka (29)", "1000.00", "180.00", "1180.00",
        "Rupees one thousand, one hundred and eighty only",
    ):  # fmt: skip
        assert needed in text, needed
    import pypdfium2

    ARTIFACTS.mkdir(exist_ok=True)
    page = pypdfium2.PdfDocument(answer.content)[0].render(scale=1.5).to_pil()
    page.save(ARTIFACTS / "tax-invoice.png")
    assert page.size[0] > 800


def test_another_user_and_an_unpaid_order_get_404(api, rsps, other_user):
    from tests.conftest import client_for

    order_id = paid_order(api, rsps)
    assert client_for(other_user).get(f"/api/orders/{order_id}/invoice/").status_code == 404
    assert api.get("/api/orders/999999/invoice/").status_code == 404
    assert api.get(f"/api/orders/{order_id}/invoice/?format=pdf").status_code == 200


def test_the_receipt_attaches_the_tax_document(api, rsps, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(api, rsps)
    (receipt,) = mail.outbox
    (name, content, mimetype) = receipt.attachments[0]
    number = TaxDocument.objects.get().number
    assert mimetype == "application/pdf" and number in pdf_text(content)
    assert name == number.replace("/", "-") + ".pdf"
    assert "Your tax document is attached" in receipt.body


def test_a_puja_is_exempt_its_document_a_bill_of_supply_and_a_refund_a_credit_note(
    user, api, staff, rsps, django_capture_on_commit_callbacks
):
    payment = PaymentFactory(cart=booking_cart_of(user), provider="razorpay", state="paid")
    booking = payment.bookings.get()
    bill = api.get(f"/api/booking/bookings/{booking.pk}/invoice/").json()
    from bookings.notifications import booking_confirmation_send

    assert booking_confirmation_send(booking_id=booking.pk)
    (confirmation,) = mail.outbox
    assert bill["number"] in pdf_text(confirmation.attachments[0][1])
    assert bill["type"] == "BILL_OF_SUPPLY" and bill["number"].startswith("BOS/")
    assert bill["lines"][0]["gst_rate"] is None and bill["lines"][0]["hsn_or_sac"] == "999591"
    assert bill["totals"]["cgst"] == bill["totals"]["igst"] == "0.00"
    mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(
            staff,
            "bookings/booking",
            "refund_part",
            booking.pk,
            apply="1",
            amount="100",
            reason="r",
        )
    bill = api.get(f"/api/booking/bookings/{booking.pk}/invoice/").json()
    (note,) = bill["credit_notes"]
    assert note["number"].startswith("CN/") and note["amount"] == "100.00"
    credit = api.get(f"/api/credit-notes/{note['id']}/").json()
    assert credit["corrects"]["number"] == bill["number"] and credit["totals"]["total"] == "100.00"


def test_a_partial_refund_of_taxed_goods_takes_tax_out_in_proportion(
    api, staff, rsps, django_capture_on_commit_callbacks
):
    order_id = paid_order(api, rsps)
    mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_part", order_id, apply="1", amount="590.00", reason="r")
    note = TaxDocument.objects.get(kind="CREDIT_NOTE")
    assert (note.taxable_value, note.igst, note.total) == (
        Decimal("500.00"),
        Decimal("90.00"),
        Decimal("590.00"),
    )


def test_an_issued_document_never_changes(api, rsps):
    paid_order(api, rsps)
    for change in (
        lambda: TaxDocument.objects.update(total=Decimal("1.00")),
        lambda: TaxDocument.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert TaxDocument.objects.get().total == Decimal("1180.00")


def test_a_buyer_gstin_is_checked_and_named_on_the_invoice(api, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="118.00", stock=5), 1)
    wrong = create_payment(api, billing_address=ADDRESS | {"gstin": "29AAGCB7383J1ZX"})
    assert wrong.status_code == 400 and "gstin" in str(wrong.json())
    order_id = paid_order(api, rsps, billing_address=ADDRESS | {"gstin": "27aapfu0939f1zv"})
    assert api.get(f"/api/orders/{order_id}/invoice/").json()["buyer"]["gstin"] == "27AAPFU0939F1ZV"


def test_gst_off_issues_nothing_and_the_receipt_says_so(
    api, rsps, settings, django_capture_on_commit_callbacks
):
    settings.GST_SELLER_GSTIN = ""
    with django_capture_on_commit_callbacks(execute=True):
        order_id = paid_order(api, rsps)
    assert not TaxDocument.objects.exists()
    assert api.get(f"/api/orders/{order_id}/invoice/").status_code == 404
    assert "not a tax invoice" in mail.outbox[0].body and not mail.outbox[0].attachments


def test_staff_download_documents_from_admin(api, rsps, staff):
    paid_order(api, rsps)
    document = TaxDocument.objects.get()
    listing = staff.get("/admin/invoices/taxdocument/?q=Asha").content.decode()
    assert document.number in listing
    download = staff.get(f"/admin/invoices/taxdocument/{document.pk}/pdf/")
    assert download["Content-Type"] == "application/pdf"
    assert document.number in pdf_text(download.content)


def test_a_lost_dispute_issues_a_credit_note_for_what_the_bank_took(api, rsps, anon_client):
    from tests.payments.gateways.razorpay.fakes import dispute_entity, dispute_webhook_body
    from tests.payments.gateways.razorpay.fakes import post_webhook as razorpay_webhook

    order_id = paid_order(api, rsps)
    lost = dispute_entity(Payment.objects.get().provider_payment_id, status="lost", amount=118000)
    assert (
        razorpay_webhook(
            anon_client, dispute_webhook_body("payment.dispute.lost", lost)
        ).status_code
        == 200
    )
    note = TaxDocument.objects.get(kind="CREDIT_NOTE")
    assert note.corrects.order_id == order_id and note.total == Decimal("1180.00")
    assert note.source.startswith("dispute:")
    from payments.models import Dispute

    Dispute.objects.update(resolution="goes_ahead")  # settled: the order ships all the same


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("GST_SELLER_GSTIN", "27AAPFU0939F1ZW"),
        ("GST_SELLER_NAME", ""),
        ("GST_SELLER_STATE", "Atlantis"),
    ],
)
def test_a_shop_misnamed_for_tax_refuses_to_start(settings, setting, value):
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    setattr(settings, setting, value)
    with pytest.raises(ImproperlyConfigured):
        apps.get_app_config("invoices").ready()


def test_every_document_carries_what_rules_46_and_53_ask(
    user, api, staff, rsps, django_capture_on_commit_callbacks
):
    """Each tax's rate on its own, the unit of quantity, the delivery address where it
    differs, the signatory line; a bill of supply names the account, never "Customer"; a
    credit note for money only has no quantity."""
    elsewhere = ADDRESS | {"address_line_1": "4 Market Lane", "state": "MH", "city": "Pune"}
    order_id = paid_order(api, rsps, price="1120.00", quantity=2, shipping_address=elsewhere)
    invoice = api.get(f"/api/orders/{order_id}/invoice/").json()
    (line,) = invoice["lines"]
    assert (line["quantity"], line["uqc"], line["gst_rate"]) == (2, "NOS", "18.00")
    # Shipped within the shop's state (Maharashtra): CGST 9% + SGST 9%, no IGST.
    assert (line["cgst_rate"], line["sgst_rate"], line["igst_rate"]) == ("9", "9", None)
    assert invoice["buyer"]["delivery_address"].startswith("4 Market Lane")
    text = pdf_text(api.get(f"/api/orders/{order_id}/invoice/?format=pdf").content)
    for needed in ("CGST %", "SGST %", "IGST %", "UQC", "NOS", "Deliver to: 4 Market Lane",
                   "For Paycart Demo Puja Store", "Authorised signatory"):  # fmt: skip
        assert needed in text, needed

    user.first_name, user.last_name = "Lakshmi", "Iyer"
    user.save()
    payment = PaymentFactory(cart=booking_cart_of(user), provider="razorpay", state="paid")
    booking = payment.bookings.get()
    bill = api.get(f"/api/booking/bookings/{booking.pk}/invoice/").json()
    assert bill["buyer"]["name"] == "Lakshmi Iyer"
    assert bill["lines"][0]["uqc"] == "NA" and bill["lines"][0]["cgst_rate"] is None
    mock_refunds(rsps)
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "orders/order", "refund_part", order_id, apply="1", amount="415", reason="r")
    note = api.get(f"/api/orders/{order_id}/invoice/").json()["credit_notes"][0]
    credit = api.get(f"/api/credit-notes/{note['id']}/").json()
    assert [line["quantity"] for line in credit["lines"]] == [None]
    assert credit["lines"][0]["uqc"] == "NOS" and credit["totals"]["total"] == "415.00"
    credit_pdf = pdf_text(api.get(f"/api/credit-notes/{note['id']}/?format=pdf").content)
    assert "Authorised signatory" in credit_pdf
