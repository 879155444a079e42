from django.urls import path

from . import apis

# Payment-first, legacy order-first, and Razorpay's webhook (under /api/payments/).
urlpatterns = [
    path("create-from-cart/", apis.CreateFromCartApi.as_view(), name="payment-create-from-cart"),
    path("create/", apis.CreateForOrderApi.as_view(), name="payment-create-for-order"),
    path("verify/", apis.VerifyApi.as_view(), name="payment-verify"),
    path("confirm-razorpay/", apis.ConfirmRazorpayApi.as_view(), name="payment-confirm-razorpay"),
    path("webhook/razorpay/", apis.RazorpayWebhookApi.as_view(), name="webhook-razorpay"),
]
