"""One purchase by its manage link, and what its owner may do with it."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import CancelQuote, booking_cancel_quote
from config.exceptions import Missing
from config.secret_tokens import manage_key_of
from invoices.models import DocumentKind, TaxDocument
from orders.models import Order, OrderStatus
from orders.services import UNSHIPPED

LINKS_LOOK_BACK = timedelta(days=365)  # "resend my links": the last 12 months
MANAGED_KINDS = ["order", "booking"]


def purchase_by_manage_token(token: str) -> Order | Booking:
    """The order or booking a manage token opens; a forged or unknown one is a 404."""
    key = manage_key_of(token)
    found = key and (
        Order.objects.exclude(status=OrderStatus.DRAFT).filter(manage_key=key).first()
        or Booking.objects.filter(manage_key=key).first()
    )
    if not found:
        raise Missing("Nothing is managed by this link.")
    return found


def order_cancel_quote(order: Order) -> CancelQuote:
    """Waiting for payment: cancelled, nothing to refund; paid and not shipped: cancelled
    with its total back; shipped or ended: not."""
    zero = Decimal("0.00")
    if order.status == OrderStatus.PENDING_PAYMENT:
        return CancelQuote(True, None, zero, zero, "")
    if order.status in UNSHIPPED:
        return CancelQuote(True, None, zero, order.total, "")
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return CancelQuote(False, None, zero, zero, "The order is already cancelled.")
    return CancelQuote(False, None, zero, zero, "The order has shipped: return it instead.")


def cancel_quote_of(purchase: Order | Booking):
    if isinstance(purchase, Booking):
        return booking_cancel_quote(purchase)
    return order_cancel_quote(purchase)


def documents_of(purchase: Order | Booking) -> list[TaxDocument]:
    """Its tax document and the credit notes correcting it, oldest first."""
    sold = Q(order=purchase) if isinstance(purchase, Order) else Q(booking=purchase)
    corrects = (
        Q(corrects__order=purchase)
        if isinstance(purchase, Order)
        else Q(corrects__booking=purchase)
    )
    return list(TaxDocument.objects.filter(sold | corrects).order_by("issued_at", "pk"))


def document_of(purchase: Order | Booking, *, credit_note_id: int | None = None):
    """Its invoice (or bill of supply), or one of its credit notes by id."""
    for document in documents_of(purchase):
        is_note = document.kind == DocumentKind.CREDIT_NOTE
        if (credit_note_id is None and not is_note) or (is_note and document.pk == credit_note_id):
            return document
    return None


def purchases_of_email(email: str) -> tuple[list[Order], list[Booking]]:
    """The paid orders and bookings of the last 12 months whose receipts went to this email
    (an account's, or a guest's contact)."""
    email = email.strip().lower()
    whose = Q(user__is_guest=False, user__email__iexact=email) | Q(
        user__is_guest=True, user__contact_email=email
    )
    since = timezone.now() - LINKS_LOOK_BACK
    orders = Order.objects.filter(whose, created_at__gte=since).exclude(
        status__in=[OrderStatus.DRAFT, OrderStatus.PENDING_PAYMENT]
    )
    bookings = Booking.objects.filter(whose, created_at__gte=since)
    return list(orders.order_by("created_at")), list(bookings.order_by("created_at"))
