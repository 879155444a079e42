"""Text on a tax document stays text, in every script: a shopper's name or address is never
read as markup (no error page, no file opened, no receipt lost), each Indian script is
drawn in its own Noto font and shaped, and the PDF of an issued document is kept: every
download gives the same bytes."""

import io
from pathlib import Path

import pypdfium2
import pytest
from django.core import mail
from django.db import DatabaseError, transaction
from pypdf import PdfReader

from invoices.models import IssuedPdf, TaxDocument
from invoices.pdf import document_pdf
from invoices.pdf_text import fonts
from tests.factories import VariantFactory
from tests.flows import add_to_cart, create_payment, verify
from tests.payments.gateways.razorpay.fakes import ADDRESS, mock_order_create

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

HOSTILE = {
    "italic": "<i>Asha",
    "bold": "<b>Asha</b>",
    "font": '<font name="Courier" size="40">Asha',
    "image": '<img src="/etc/hostname"/>Asha',
    "unclosed": "Asha <para><br>&nbsp; & <",
    "rtl override": "Asha \u202eahsA\u202c",
    "long": "A" * 50 + " " + "क" * 49,  # a name's most (100)
}
# What a reader gets back: every character as typed, but bidi controls.
PRINTED = HOSTILE | {"rtl override": "Asha ahsA"}
# A name in each script the fonts cover, each with a conjunct or a vowel sign drawn before
# its consonant (ि in कि): drawn as the script writes it, and copied back as typed.
NAMES = {
    "Devanagari": ("शर्मिला", "NotoSansDevanagari"),
    "Bengali": ("কিরণ", "NotoSansBengali"),
    "Gurmukhi": ("ਕਿਰਨ", "NotoSansGurmukhi"),
    "Gujarati": ("શર્મિલા", "NotoSansGujarati"),
    "Odia": ("କ୍ଷେତ୍ର", "NotoSansOriya"),
    "Tamil": ("கொடி", "NotoSansTamil"),
    "Telugu": ("శర్మ", "NotoSansTelugu"),
    "Kannada": ("ಶರ್ಮ", "NotoSansKannada"),
    "Malayalam": ("കേരളം", "NotoSansMalayalam"),
}


def bought_by(api, rsps, first_name: str, django_capture_on_commit_callbacks) -> int:
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="1180.00", stock=5, product__hsn_code="7418"), 1)
    address = ADDRESS | {"first_name": first_name, "last_name": "Rao"}
    answer = create_payment(api, billing_address=address, shipping_address=address)
    assert answer.status_code == 201, answer.content
    with django_capture_on_commit_callbacks(execute=True):
        paid = verify(api, answer.json()["razorpay_order_id"])
    return paid.json()["order_id"]


def pdf_of(api, order_id: int) -> bytes:
    answer = api.get(f"/api/orders/{order_id}/invoice/?format=pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    return answer.content


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def copied_from(content: bytes) -> str:
    """What a reader copying the text gets (PDFium, Chrome's reader: it honours
    /ActualText, as Acrobat and poppler do; pypdf does not)."""
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def fonts_in(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    return {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_name_prints_as_typed_and_the_receipt_still_goes(
    api, rsps, kind, django_capture_on_commit_callbacks
):
    order_id = bought_by(api, rsps, HOSTILE[kind], django_capture_on_commit_callbacks)
    text = " ".join(text_of(pdf_of(api, order_id)).split())
    assert " ".join(PRINTED[kind].split()) in text
    assert "Courier" not in fonts_in(pdf_of(api, order_id))
    (receipt,) = [m for m in mail.outbox if "receipt" in m.subject.lower() or m.attachments]
    assert receipt.attachments and receipt.attachments[0][2] == "application/pdf"


def test_text_from_staff_or_a_provider_prints_as_typed_without_control_characters():
    """Staff's product names and providers' text reach a PDF without the API's checks: NUL
    and other control characters are dropped, 300 characters of markup print as typed."""
    description = ("<b>Diya & <img src='/etc/hostname'/>" * 12)[:300]
    body = document_body_for(description=description + "\x00\x07end")
    text = text_of(document_pdf(body))
    # The narrow column wraps it anywhere: compare without the spaces.
    assert (description + "end").replace(" ", "") in "".join(text.split())
    assert "\x00" not in text and "\x07" not in text


def test_a_nul_in_a_name_is_refused_at_checkout(api, rsps):
    mock_order_create(rsps)
    add_to_cart(api, VariantFactory(price="100.00", stock=5), 1)
    address = ADDRESS | {"first_name": "As\x00ha"}
    answer = create_payment(api, billing_address=address, shipping_address=address)
    assert answer.status_code == 400 and "Null characters" in answer.json()["error"]


def document_body_for(*, description: str) -> dict:
    return {
        "number": "INV/2627/000001", "title": "Tax invoice", "date": "2026-12-06",
        "seller": {"name": "Shop", "address": "Pune"}, "buyer": {"name": "Asha", "address": "x"},
        "place_of_supply": {"state": "Maharashtra", "state_code": "27"},
        "lines": [{"description": description, "hsn_or_sac": "7418", "quantity": 1,
                   "uqc": "NOS", "taxable_value": "100.00", "gst_rate": "18", "cgst_rate": "9",
                   "sgst_rate": "9", "igst_rate": None, "cgst": "9.00", "sgst": "9.00",
                   "igst": "0.00", "total": "118.00"}],
        "totals": {"taxable_value": "100.00", "cgst": "9.00", "sgst": "9.00", "igst": "0.00",
                   "total": "118.00"},
        "amount_in_words": "One hundred and eighteen rupees",
    }  # fmt: skip


def test_every_indian_script_is_drawn_in_its_own_font_and_read_back_as_typed(
    api, rsps, django_capture_on_commit_callbacks
):
    name = " ".join(written for written, _ in NAMES.values())
    order_id = bought_by(api, rsps, name, django_capture_on_commit_callbacks)
    content = pdf_of(api, order_id)
    assert {font + "-Regular" for _, font in NAMES.values()} <= fonts_in(content)
    copied = copied_from(content)
    assert name in copied
    for script, (written, _) in NAMES.items():
        assert written in copied, script
    # For a person to look at: the buyer's name in nine scripts (test-artifacts/).
    ARTIFACTS.mkdir(exist_ok=True)
    page = pypdfium2.PdfDocument(content)[0].render(scale=2).to_pil()
    page.crop((0, 0, page.width, page.height // 3)).save(ARTIFACTS / "invoice-indian-scripts.png")


def test_an_issued_documents_pdf_is_kept_and_every_download_gives_the_same_bytes(
    api, rsps, staff, django_capture_on_commit_callbacks
):
    order_id = bought_by(api, rsps, "Asha", django_capture_on_commit_callbacks)
    document = TaxDocument.objects.get(order_id=order_id)
    kept = IssuedPdf.objects.get(document=document)  # rendered by the receipt's job
    first = pdf_of(api, order_id)
    assert first == bytes(kept.content) == pdf_of(api, order_id)
    assert staff.get(f"/admin/invoices/taxdocument/{document.pk}/pdf/").content == first
    with pytest.raises(DatabaseError), transaction.atomic():
        IssuedPdf.objects.filter(pk=kept.pk).update(content=b"%PDF-forged")


def test_a_document_that_cannot_be_rendered_never_stops_the_receipt(
    api, rsps, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Fonts that cannot be read: the receipt goes without the PDF and staff are told."""
    settings.ADMINS = [("Ops", "ops@example.com")]
    (tmp_path / "NotoSans-Regular.ttf").write_bytes(b"not a font")
    settings.PDF_FONT_DIR = str(tmp_path)
    fonts.cache_clear()
    try:
        order_id = bought_by(api, rsps, "Asha", django_capture_on_commit_callbacks)
    finally:
        settings.PDF_FONT_DIR = "/usr/share/fonts/truetype/noto"
        fonts.cache_clear()
    receipts = [m for m in mail.outbox if m.to != ["ops@example.com"]]
    assert receipts and not receipts[0].attachments
    told = [m for m in mail.outbox if m.to == ["ops@example.com"]]
    assert told and "could not be rendered" in told[0].subject
    assert not IssuedPdf.objects.exists()
    assert pdf_of(api, order_id).startswith(b"%PDF")  # the fonts back: rendered and kept now
