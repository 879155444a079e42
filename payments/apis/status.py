"""Status endpoints and browser redirects. While a payment is open they ask its provider
(at most once every few seconds per payment), so a lost webhook still ends in an order or
booking when the frontend polls."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.views.decorators.http import require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking

from ..models import Payment, PaymentStatus, Provider
from ..providers.registry import provider_enabled
from ..selectors import payment_get_for_user, payment_latest_for_cart
from ..services.charges import payment_sync_with_provider
from .phonepe import payment_order_body


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
                    "payment_created_at": payment.created_at.isoformat(),
                    "payment_completed_at": payment.completed_at.isoformat()
                    if payment.completed_at
                    else None,
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


def _to_frontend(payment: Payment | None, merchant_order_id: str) -> HttpResponseRedirect:
    """Only FRONTEND_BASE_URL is ever a target, whatever else the request carries."""
    succeeded = (
        payment is not None
        and not payment.needs_attention
        and (payment.status == PaymentStatus.SUCCESS or payment.is_open)
    )
    path = "/confirmbooking" if succeeded else "/failedbooking"
    query = urlencode({"redirect_source": "phonepe", "merchant_order_id": merchant_order_id})
    return HttpResponseRedirect(f"{settings.FRONTEND_BASE_URL}{path}?{query}")


def _require_phonepe() -> None:
    if not provider_enabled(Provider.PHONEPE):
        raise Http404("The payment provider phonepe is switched off.")


def _merchant_order_id(request) -> str:
    params = request.GET if request.method == "GET" else request.POST
    return (params.get("merchant_order_id") or params.get("merchantOrderId") or "")[:63]


@require_http_methods(["GET", "POST"])
def payment_redirect(request):
    """Checks the status first (throttled per payment), then sends the browser on."""
    _require_phonepe()
    merchant_order_id = _merchant_order_id(request)
    payment = Payment.objects.filter(merchant_order_id=merchant_order_id).first()
    return _to_frontend(_current(payment) if payment else None, merchant_order_id)


@require_http_methods(["GET", "POST"])
def payment_redirect_simple(request):
    """Answers from the database only."""
    _require_phonepe()
    merchant_order_id = _merchant_order_id(request)
    payment = Payment.objects.filter(merchant_order_id=merchant_order_id).first()
    return _to_frontend(payment, merchant_order_id)
