from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from .apis import phonepe, razorpay, status, stripe

urlpatterns = [
    # Razorpay, payment-first and legacy order-first
    path(
        "create-from-cart/", razorpay.CreateFromCartApi.as_view(), name="payment-create-from-cart"
    ),
    path("create/", razorpay.CreateForOrderApi.as_view(), name="payment-create-for-order"),
    path("verify/", razorpay.VerifyApi.as_view(), name="payment-verify"),
    path(
        "confirm-razorpay/", razorpay.ConfirmRazorpayApi.as_view(), name="payment-confirm-razorpay"
    ),
    # PhonePe Standard Checkout V2
    path("process-cart/", phonepe.ProcessCartApi.as_view(), name="payment-process-cart"),
    path("cart/", phonepe.CartPaymentApi.as_view(), name="payment-cart"),
    # Stripe, order-first
    path(
        "stripe/checkout-session/",
        stripe.CheckoutSessionApi.as_view(),
        name="stripe-checkout-session",
    ),
    # Status and redirects
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
    path("redirect/", csrf_exempt(status.payment_redirect), name="payment-redirect"),
    path(
        "redirect/simple/",
        csrf_exempt(status.payment_redirect_simple),
        name="payment-redirect-simple",
    ),
    # Webhooks
    path("webhook/razorpay/", razorpay.RazorpayWebhookApi.as_view(), name="webhook-razorpay"),
    path("webhook/phonepe/", phonepe.PhonePeWebhookApi.as_view(), name="webhook-phonepe"),
    path("webhook/stripe/", stripe.StripeWebhookApi.as_view(), name="webhook-stripe"),
]
