from django.urls import path

from . import apis

# Order-first Checkout Sessions and Stripe's webhook (under /api/payments/).
urlpatterns = [
    path(
        "stripe/checkout-session/",
        apis.CheckoutSessionApi.as_view(),
        name="stripe-checkout-session",
    ),
    path("webhook/stripe/", apis.StripeWebhookApi.as_view(), name="webhook-stripe"),
]
