"""Tax documents' outbound events (invoice.issued, credit_note.issued): their type and
payload, declared here (registered at ready()). The payload is the document as its REST
answer shows it (documents.document_body), for the shop's accounting."""

from typing import NotRequired

from typing_extensions import TypedDict

from outbound.registry import EventType


class PartyPayload(TypedDict, total=False):
    name: str
    address: str
    delivery_address: str  # where it differs from the address
    gstin: str
    state: str
    state_code: str


class PlaceOfSupplyPayload(TypedDict):
    state_code: str
    state: str


class DocumentLinePayload(TypedDict):
    description: str
    hsn_or_sac: str
    quantity: int | None  # null: a credit note for money only
    uqc: str
    taxable_value: str
    gst_rate: str | None  # null: exempt
    cgst_rate: str | None
    sgst_rate: str | None
    igst_rate: str | None
    cgst: str
    sgst: str
    igst: str
    total: str


class TotalsPayload(TypedDict):
    taxable_value: str
    cgst: str
    sgst: str
    igst: str
    total: str


class DocumentRefPayload(TypedDict):
    number: str
    date: str


class CreditNoteRefPayload(TypedDict):
    id: int
    number: str
    date: str
    amount: str


class TaxDocumentPayload(TypedDict):
    id: int
    number: str
    type: str
    title: str
    date: str
    seller: PartyPayload
    buyer: PartyPayload
    place_of_supply: PlaceOfSupplyPayload
    lines: list[DocumentLinePayload]
    totals: TotalsPayload
    amount_in_words: str
    endorsement: NotRequired[str]  # an export under LUT
    corrects: NotRequired[DocumentRefPayload]  # a credit note: the invoice it corrects
    credit_notes: NotRequired[list[CreditNoteRefPayload]]  # an invoice: its credit notes


EVENT_TYPES = [
    EventType("invoice.issued", TaxDocumentPayload, "A tax invoice or bill of supply was issued."),
    EventType("credit_note.issued", TaxDocumentPayload, "A credit note was issued."),
]
