"""Mounted under /sandbox/ only when PAYMENTS_SANDBOX is on. Paths mirror the providers'
own, so RAZORPAY_BASE_URL=<site>/sandbox/razorpay (and likewise) is all a client changes."""

from django.urls import path

from . import phonepe, razorpay, stripe

urlpatterns = [
    # Razorpay: /v1/... as the SDK appends it
    path("razorpay/v1/orders", razorpay.orders),
    path("razorpay/v1/orders/<str:order_id>", razorpay.order_detail),
    path("razorpay/v1/orders/<str:order_id>/payments", razorpay.order_payments),
    path("razorpay/v1/payments/<str:payment_id>", razorpay.payment_detail),
    path("razorpay/v1/payments/<str:payment_id>/capture", razorpay.payment_capture),
    path("razorpay/v1/payments/<str:payment_id>/refund", razorpay.refund),
    path("razorpay/pay/<str:order_id>/", razorpay.pay_page, name="sandbox-razorpay-pay-page"),
    # PhonePe Standard Checkout V2
    path("phonepe/v1/oauth/token", phonepe.oauth_token),
    path("phonepe/checkout/v2/pay", phonepe.pay),
    path("phonepe/checkout/v2/order/<str:merchant_order_id>/status", phonepe.order_status),
    path("phonepe/payments/v2/refund", phonepe.refund),
    path("phonepe/pay/<str:merchant_order_id>/", phonepe.pay_page, name="sandbox-phonepe-pay-page"),
    # Stripe
    path("stripe/v1/checkout/sessions", stripe.sessions),
    path("stripe/v1/checkout/sessions/<str:session_id>", stripe.session_detail),
    path("stripe/v1/checkout/sessions/<str:session_id>/expire", stripe.session_expire),
    path("stripe/v1/refunds", stripe.refunds),
    path("stripe/pay/<str:session_id>/", stripe.pay_page, name="sandbox-stripe-pay-page"),
]
