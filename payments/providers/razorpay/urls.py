from django.urls import path

from . import apis, link_apis

# Payment-first, legacy order-first, and Razorpay's webhook (under /api/payments/).
urlpatterns = [
    path("create-from-cart/", apis.CreateFromCartApi.as_view(), name="payment-create-from-cart"),
    path("create/", apis.CreateForOrderApi.as_view(), name="payment-create-for-order"),
    path("verify/", apis.VerifyApi.as_view(), name="payment-verify"),
    path("confirm-razorpay/", apis.ConfirmRazorpayApi.as_view(), name="payment-confirm-razorpay"),
    path("webhook/razorpay/", apis.RazorpayWebhookApi.as_view(), name="webhook-razorpay"),
    # Payment links (staff) and the customer's signed return.
    path("links/", link_apis.PaymentLinksApi.as_view(), name="payment-links"),
    path(
        "links/callback/",
        link_apis.PaymentLinkCallbackApi.as_view(),
        name="payment-link-callback",
    ),
    path(
        "links/<uuid:payment_id>/cancel/",
        link_apis.PaymentLinkCancelApi.as_view(),
        name="payment-link-cancel",
    ),
]
