from django.urls import include, path

from .apis import status
from .gateways.registry import gateways

# What every provider shares; then each gateway package's own routes.
urlpatterns = [
    path(
        "<uuid:payment_id>/check-booking/",
        status.CheckBookingApi.as_view(),
        name="payment-check-booking",
    ),
    path(
        "cart/status/<ref:cart_id>/",
        status.CartPaymentStatusApi.as_view(),
        name="payment-cart-status",
    ),
    path(
        "status/<ref:merchant_order_id>/",
        status.PaymentOrderStatusApi.as_view(),
        name="payment-status",
    ),
    *(path("", include(gateway.urls)) for gateway in gateways().values()),
]
