from django.urls import path

from .apis import razorpay

urlpatterns = [
    path(
        "create-from-cart/", razorpay.CreateFromCartApi.as_view(), name="payment-create-from-cart"
    ),
    path("create/", razorpay.CreateForOrderApi.as_view(), name="payment-create-for-order"),
    path("verify/", razorpay.VerifyApi.as_view(), name="payment-verify"),
    path(
        "confirm-razorpay/", razorpay.ConfirmRazorpayApi.as_view(), name="payment-confirm-razorpay"
    ),
    path("webhook/razorpay/", razorpay.RazorpayWebhookApi.as_view(), name="webhook-razorpay"),
]
