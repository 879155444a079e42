"""A document's PDF is rendered once, on first need (the receipt's job, or the first
download), and kept: later downloads give the same bytes. Rendering at first need keeps
fulfilment's transaction free of PDF work. Two first requests at once both render; the
first stored wins and both answer it."""

import hashlib
import logging

from django.core.mail import mail_admins

from .documents import document_body
from .models import IssuedPdf, TaxDocument
from .pdf import document_pdf

logger = logging.getLogger(__name__)


def document_pdf_kept(document: TaxDocument) -> bytes:
    kept = IssuedPdf.objects.filter(document=document).values_list("content", flat=True)
    if kept:
        return bytes(kept[0])
    content = document_pdf(document_body(document))
    IssuedPdf.objects.bulk_create(
        [IssuedPdf(document=document, content=content, sha256=hashlib.sha256(content).hexdigest())],
        ignore_conflicts=True,
    )
    return bytes(IssuedPdf.objects.values_list("content", flat=True).get(document=document))


def document_pdf_or_none(document: TaxDocument) -> bytes | None:
    """For an email: the kept PDF, or None when it cannot be rendered (staff are told; the
    email goes without it rather than not at all)."""
    try:
        return document_pdf_kept(document)
    except Exception as exc:  # any renderer failure: the receipt still goes
        logger.exception("Tax document %s could not be rendered as PDF", document.number)
        mail_admins(
            f"Tax document {document.number} could not be rendered",
            f"Its email went without the PDF ({type(exc).__name__}). Download it from admin "
            "once the cause is fixed.",
            fail_silently=True,
        )
        return None
