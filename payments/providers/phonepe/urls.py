from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import apis, returns

# Standard Checkout V2, the browser's returns, and PhonePe's webhook (under /api/payments/).
urlpatterns = [
    path("process-cart/", apis.ProcessCartApi.as_view(), name="payment-process-cart"),
    path("cart/", apis.CartPaymentApi.as_view(), name="payment-cart"),
    path("redirect/", csrf_exempt(returns.payment_redirect), name="payment-redirect"),
    path(
        "redirect/simple/",
        csrf_exempt(returns.payment_redirect_simple),
        name="payment-redirect-simple",
    ),
    path("webhook/phonepe/", apis.PhonePeWebhookApi.as_view(), name="webhook-phonepe"),
]
