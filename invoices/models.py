"""Tax documents: a tax invoice, a bill of supply (exempt supplies only) or an
invoice-cum-bill of supply for each order or booking, and a credit note for each refund or
lost dispute. Each is a fact: written in the transaction of the sale (or the refund) it
records and never changed after (the database refuses an UPDATE or DELETE of one)."""

from django.db import models
from django.db.models import Q

from config.personal_data import PersonalData, personal_data


class DocumentKind(models.TextChoices):
    TAX_INVOICE = "TAX_INVOICE", "Tax invoice"
    BILL_OF_SUPPLY = "BILL_OF_SUPPLY", "Bill of supply (exempt supplies)"
    INVOICE_CUM_BILL = "INVOICE_CUM_BILL", "Invoice-cum-bill of supply"
    CREDIT_NOTE = "CREDIT_NOTE", "Credit note"


# Each kind's number series (CGST Rule 46: consecutive per series and financial year).
SERIES = {
    DocumentKind.TAX_INVOICE: "INV",
    DocumentKind.INVOICE_CUM_BILL: "INV",
    DocumentKind.BILL_OF_SUPPLY: "BOS",
    DocumentKind.CREDIT_NOTE: "CN",
}


class DocumentCounter(models.Model):
    """The last number issued in one series and financial year. Taken as the last statement
    of the issuing transaction, so its row lock is held only until that commit, and a
    rolled-back issue gives its number back."""

    series = models.CharField(max_length=3)
    financial_year = models.CharField(max_length=4)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "financial_year"], name="counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}/{self.financial_year}: {self.last}"


def money() -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2)


class TaxDocument(models.Model):
    number = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    series = models.CharField(max_length=3)
    financial_year = models.CharField(max_length=4)
    serial = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice"
    )
    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice"
    )
    # A credit note: the invoice it corrects and what it records ("refund:<id>", "dispute:<id>").
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    source = models.CharField(max_length=64, unique=True, null=True, blank=True)
    user_id = models.BigIntegerField()  # whose document it is (the buyer's account)
    seller = models.JSONField()  # name, address, gstin, state, state_code, as issued
    buyer = models.JSONField()  # name, address, gstin?, state_code?
    place_of_supply = models.CharField(max_length=2)  # GST state code
    place_of_supply_name = models.CharField(max_length=64)
    # The buyer's state could not be recognised: taken as the shop's own, for staff to check.
    needs_review = models.BooleanField(default=False)
    currency = models.CharField(max_length=3, default="INR")
    taxable_value = money()
    cgst = money()
    sgst = money()
    igst = money()
    total = money()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "financial_year", "serial"], name="document_serial_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="CREDIT_NOTE", corrects__isnull=False, source__isnull=False)
                | (
                    ~Q(kind="CREDIT_NOTE")
                    & Q(corrects__isnull=True)
                    & (Q(order__isnull=False) | Q(booking__isnull=False))
                ),
                name="document_names_what_it_records",
            ),
        ]
        indexes = [models.Index(fields=["issued_at"])]

    def __str__(self) -> str:
        return self.number


class TaxDocumentLine(models.Model):
    document = models.ForeignKey(TaxDocument, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    hsn_or_sac = models.CharField(max_length=8, blank=True)
    # 0 on a credit note for money only (a partial refund, a dispute): no goods came back.
    quantity = models.PositiveIntegerField()
    # The unit of quantity as GST's UQC list names it: NOS (numbers) for goods, NA for services.
    uqc = models.CharField(max_length=3, default="NOS")
    gst_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True)  # null: exempt
    taxable_value = money()
    cgst = money()
    sgst = money()
    igst = money()
    total = money()

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="document_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} #{self.position}"


class IssuedPdf(models.Model):
    """A document's PDF as it was first rendered, kept so that every later download gives
    the same bytes whatever the template or the PDF library become (CGST s.36: kept 72
    months). Written once; the database refuses to change it."""

    document = models.OneToOneField(
        TaxDocument, on_delete=models.PROTECT, primary_key=True, related_name="issued_pdf"
    )
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.document} (PDF)"


personal_data(
    PersonalData(
        "invoices.TaxDocument",
        person="user_id",
        json_fields=("buyer",),
        not_personal=("seller",),  # the shop's own name and address
        shown=("number", "kind", "issued_at"),
        kept_because="CGST Act 2017 s.36 and CGST Rules 46, 49 and 53: tax invoices, bills of "
        "supply and credit notes are kept as issued for 72 months",
    ),
)
