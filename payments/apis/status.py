"""Status endpoints. While a payment is open they ask its provider (at most once every few
seconds per payment), so a lost webhook still ends in an order or booking when the
frontend polls."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.guest_apis import GUESTS_WELCOME
from bookings.models import Booking

from ..models import Payment
from ..payloads import latest_refund, payment_order_body
from ..selectors import payment_get_for_user, payment_latest_for_cart
from ..services.charges import payment_current as _current
from .answers import (
    CartPaymentStatusOutput,
    CheckBookingOutput,
    PaymentOrderStatusOutput,
    errors,
)

NOT_FOUND = errors({404: "No such payment of yours"})


def _booking_of(payment: Payment) -> Booking | None:
    return payment.bookings.order_by("id").first()


class CheckBookingApi(APIView):
    authentication_classes = GUESTS_WELCOME

    @extend_schema(responses={200: CheckBookingOutput, **NOT_FOUND})
    def get(self, request, payment_id):
        payment = _current(payment_get_for_user(user=request.user, pk=payment_id))
        booking = _booking_of(payment)
        answer = {
            "success": True,
            "payment_status": payment.status,
            "needs_attention": payment.needs_attention,
            "refund": latest_refund(payment),
            "booking_created": booking is not None,
            "booking": booking,
        }
        return Response(CheckBookingOutput(answer).data)


class CartPaymentStatusApi(APIView):
    authentication_classes = GUESTS_WELCOME

    @extend_schema(responses={200: CartPaymentStatusOutput, **NOT_FOUND})
    def get(self, request, cart_id: str):
        payment = _current(payment_latest_for_cart(user=request.user, cart_ref=cart_id))
        booking = _booking_of(payment)
        payment.cart.refresh_from_db()
        state = {
            "cart_id": payment.cart.cart_id,
            "payment_status": payment.status,
            "payment_amount": str(payment.amount),
            "merchant_order_id": payment.merchant_order_id,
            "booking_created": booking is not None,
            "booking_id": booking.book_id if booking else None,
            "order_number": payment.order.order_number if payment.order else None,
            "cart_status": payment.cart.status,
            "needs_attention": payment.needs_attention,
            "refund": latest_refund(payment),
            "payment_created_at": payment.created_at,
            "payment_completed_at": payment.completed_at,
        }
        return Response(CartPaymentStatusOutput({"success": True, "data": state}).data)


class PaymentOrderStatusApi(APIView):
    authentication_classes = GUESTS_WELCOME

    @extend_schema(responses={200: PaymentOrderStatusOutput, **NOT_FOUND})
    def get(self, request, merchant_order_id: str):
        payment = payment_get_for_user(user=request.user, merchant_order_id=merchant_order_id)
        answer = {"success": True, "data": payment_order_body(_current(payment))}
        return Response(PaymentOrderStatusOutput(answer).data)
