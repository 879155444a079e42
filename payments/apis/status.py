"""Status endpoints and browser redirects. While a payment is open they ask its provider
(at most once every few seconds per payment), so a lost webhook still ends in an order or
booking when the frontend polls."""

import re

from django.http import Http404, HttpResponseRedirect
from django.views.decorators.http import require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking
from config.serializers import local_iso

from ..models import Payment, Provider
from ..providers.registry import provider_enabled
from ..selectors import payment_get_for_user, payment_latest_for_cart
from ..services.charges import payment_sync_with_provider
from ..services.returns import payment_return_target
from .common import refund_state
from .phonepe import payment_order_body

MERCHANT_ORDER_ID = re.compile(r"[A-Za-z0-9_-]{1,63}")


def _current(payment: Payment) -> Payment:
    return payment_sync_with_provider(payment=payment) if payment.is_open else payment


def _booking_of(payment: Payment) -> Booking | None:
    return payment.bookings.order_by("id").first()


class CheckBookingApi(APIView):
    @extend_schema(
        responses=OpenApiResponse(
            OpenApiTypes.OBJECT, description="success, payment_status, booking_created, booking"
        )
    )
    def get(self, request, payment_id):
        payment = _current(payment_get_for_user(user=request.user, pk=payment_id))
        booking = _booking_of(payment)
        return Response(
            {
                "success": True,
                "payment_status": payment.status,
                "needs_attention": payment.needs_attention,
                "refund": refund_state(payment),
                "booking_created": booking is not None,
                "booking": {
                    "book_id": booking.book_id,
                    "status": booking.status,
                    "total_amount": str(booking.total_amount),
                }
                if booking
                else None,
            }
        )


class CartPaymentStatusApi(APIView):
    @extend_schema(
        responses=OpenApiResponse(
            OpenApiTypes.OBJECT, description="success, data: the latest payment of the cart"
        )
    )
    def get(self, request, cart_id: str):
        payment = _current(payment_latest_for_cart(user=request.user, cart_ref=cart_id))
        booking = _booking_of(payment)
        payment.cart.refresh_from_db()
        return Response(
            {
                "success": True,
                "data": {
                    "cart_id": payment.cart.cart_id,
                    "payment_status": payment.status,
                    "payment_amount": str(payment.amount),
                    "merchant_order_id": payment.merchant_order_id,
                    "booking_created": booking is not None,
                    "booking_id": booking.book_id if booking else None,
                    "order_number": payment.order.order_number if payment.order else None,
                    "cart_status": payment.cart.status,
                    "needs_attention": payment.needs_attention,
                    "refund": refund_state(payment),
                    "payment_created_at": local_iso(payment.created_at),
                    "payment_completed_at": local_iso(payment.completed_at),
                },
            }
        )


class PaymentOrderStatusApi(APIView):
    @extend_schema(
        responses=OpenApiResponse(
            OpenApiTypes.OBJECT, description="success, data: the payment order"
        )
    )
    def get(self, request, merchant_order_id: str):
        payment = payment_get_for_user(user=request.user, merchant_order_id=merchant_order_id)
        return Response({"success": True, "data": payment_order_body(_current(payment))})


def _require_phonepe() -> None:
    if not provider_enabled(Provider.PHONEPE):
        raise Http404("The payment provider phonepe is switched off.")


def _returning_payment(request) -> tuple[Payment | None, str]:
    """The merchant order id from the query string (GET or POST) or a posted form."""
    _require_phonepe()
    raw = (
        request.GET.get("merchant_order_id")
        or request.GET.get("merchantOrderId")
        or (request.POST.get("merchant_order_id") if request.method == "POST" else "")
        or (request.POST.get("merchantOrderId") if request.method == "POST" else "")
        or ""
    )
    if not MERCHANT_ORDER_ID.fullmatch(raw):
        return None, ""  # nothing we could have issued: no lookup, no echo
    return Payment.objects.filter(merchant_order_id=raw).first(), raw


@require_http_methods(["GET", "POST"])
def payment_redirect(request):
    """Checks the status first (throttled per payment), then sends the browser on."""
    payment, merchant_order_id = _returning_payment(request)
    payment = _current(payment) if payment else None
    return HttpResponseRedirect(payment_return_target(payment, merchant_order_id, check=True))


@require_http_methods(["GET", "POST"])
def payment_redirect_simple(request):
    """Always back to the confirmation page, which polls the status."""
    payment, merchant_order_id = _returning_payment(request)
    return HttpResponseRedirect(payment_return_target(payment, merchant_order_id, check=False))
