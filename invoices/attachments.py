"""The tax document's PDF, attached to the receipt and the booking confirmation."""

from bookings.models import Booking
from config.emails import Attachment
from orders.models import Order

from .kept_pdfs import document_pdf_or_none
from .models import DocumentKind, TaxDocument


def _attached(document: TaxDocument | None) -> Attachment | None:
    if document is None:
        return None
    content = document_pdf_or_none(document)
    if content is None:
        return None
    return document.number.replace("/", "-") + ".pdf", content, "application/pdf"


def _sale_documents():
    return TaxDocument.objects.exclude(kind=DocumentKind.CREDIT_NOTE)


def order_document(order: Order) -> Attachment | None:
    return _attached(_sale_documents().filter(order=order).first())


def booking_document(booking: Booking) -> Attachment | None:
    return _attached(_sale_documents().filter(booking=booking).first())
