"""The owner's tax documents, as JSON or (`Accept: application/pdf`, `?format=pdf`) as the
PDF. Another user's document, or one not issued (yet), is a 404 like a missing one."""

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.exceptions import Missing
from config.serializers import ErrorOutput

from .documents import document_body
from .kept_pdfs import document_pdf_kept
from .models import DocumentKind, TaxDocument


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data  # the kept PDF's bytes (an error is answered as JSON)


class PartyOutput(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField()
    gstin = serializers.CharField(required=False)
    state = serializers.CharField(required=False)
    state_code = serializers.CharField(required=False)
    delivery_address = serializers.CharField(
        required=False, help_text="the buyer's: where the goods go, when not the billing address"
    )


class PlaceOutput(serializers.Serializer):
    state_code = serializers.CharField(help_text="the GST state code, e.g. 27")
    state = serializers.CharField()


class LineOutput(serializers.Serializer):
    description = serializers.CharField()
    hsn_or_sac = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField(
        allow_null=True, help_text="null on a credit note for money only (no goods came back)"
    )
    uqc = serializers.CharField(help_text="GST's unit of quantity: NOS for goods, NA for services")
    taxable_value = serializers.CharField()
    gst_rate = serializers.CharField(allow_null=True, help_text="percent; null: exempt")
    cgst_rate = serializers.CharField(allow_null=True, help_text="percent, within the state")
    sgst_rate = serializers.CharField(allow_null=True, help_text="percent, within the state")
    igst_rate = serializers.CharField(allow_null=True, help_text="percent, across states")
    cgst = serializers.CharField()
    sgst = serializers.CharField()
    igst = serializers.CharField()
    total = serializers.CharField()


class TotalsOutput(serializers.Serializer):
    taxable_value = serializers.CharField()
    cgst = serializers.CharField()
    sgst = serializers.CharField()
    igst = serializers.CharField()
    total = serializers.CharField()


class CreditNoteBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    date = serializers.DateField()
    amount = serializers.CharField()


class CorrectsOutput(serializers.Serializer):
    number = serializers.CharField()
    date = serializers.DateField()


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="{series}/{financial year}/{n}: INV/2627/000123")
    type = serializers.ChoiceField(choices=DocumentKind.choices)
    title = serializers.CharField()
    date = serializers.DateField()
    seller = PartyOutput()
    buyer = PartyOutput()
    place_of_supply = PlaceOutput()
    lines = LineOutput(many=True)
    totals = TotalsOutput()
    amount_in_words = serializers.CharField()
    credit_notes = CreditNoteBriefOutput(many=True, required=False, help_text="an invoice's")
    corrects = CorrectsOutput(required=False, help_text="a credit note's invoice")
    endorsement = serializers.CharField(
        required=False, help_text="an export under LUT: no integrated tax charged (Rule 46)"
    )


FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "pdf"], description="pdf: the document as a PDF"
)
ANSWERS = {
    (200, "application/json"): DocumentOutput,
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the PDF"),
    (404, "application/json"): OpenApiResponse(ErrorOutput, description="none of yours"),
}


class DocumentApi(APIView):
    renderer_classes = [JSONRenderer, PdfRenderer]
    sold: str  # which sale's document (order_id, booking_id), or "" for a credit note

    def document(self, request, **lookup) -> TaxDocument | None:
        """The owner's: the buyer it was issued to, or whoever owns its order or booking now
        (a guest's purchase claimed by an account keeps its documents as issued)."""
        pk = lookup["pk"]
        documents = TaxDocument.objects.prefetch_related("lines")
        if not self.sold:
            owner = (
                Q(user_id=request.user.pk)
                | Q(corrects__order__user=request.user)
                | Q(corrects__booking__user=request.user)
            )
            return documents.filter(owner, kind=DocumentKind.CREDIT_NOTE, pk=pk).first()
        sale = self.sold.removesuffix("_id")
        return (
            documents.exclude(kind=DocumentKind.CREDIT_NOTE)
            .filter(**{self.sold: pk, f"{sale}__user": request.user})
            .first()
        )

    @extend_schema(parameters=[FORMAT], responses=ANSWERS)
    def get(self, request, **lookup):
        document = self.document(request, **lookup)
        if document is None:
            raise Missing("No tax document of yours here (none is issued before payment).")
        if request.accepted_renderer.format == PdfRenderer.format:
            return Response(document_pdf_kept(document))
        return Response(document_body(document))

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # An error is JSON, whatever format was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class OrderInvoiceApi(DocumentApi):
    sold = "order_id"


class BookingInvoiceApi(DocumentApi):
    sold = "booking_id"


class CreditNoteApi(DocumentApi):
    sold = ""  # a credit note is asked for by its own id
