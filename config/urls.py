from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from invoices.apis import BookingInvoiceApi, CreditNoteApi, OrderInvoiceApi
from observability.scrape import metrics
from payments.apis.booking_cancel import BookingCancelApi
from payments.apis.order_first import OrderCancelApi
from payments.health_page import payment_health
from privacy.apis import GuestEraseApi, PersonDataApi, PersonEraseApi
from selfservice.apis import EmailClaimApi, EmailClaimConfirmApi

from . import (
    converters,  # noqa: F401  (registers the <id:…> and <ref:…> path converters)
    probes,
)

urlpatterns = [
    path("admin/payment-health/", admin.site.admin_view(payment_health), name="payment-health"),
    path("admin/", admin.site.urls),
    path("api/health/", probes.health, name="health"),
    path("api/health/ready/", probes.ready, name="health-ready"),
    path("api/health/live/", probes.live, name="health-live"),
    path("metrics", metrics, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    # A person's own data: privacy answers it (before accounts' routes).
    path("api/accounts/me/data/", PersonDataApi.as_view(), name="person-data"),
    path("api/accounts/me/erase/", PersonEraseApi.as_view(), name="person-erase"),
    path("api/manage/<str:token>/erase/", GuestEraseApi.as_view(), name="manage-erase"),
    path("api/accounts/", include("accounts.urls")),
    # Taking guest purchases made with the account's email: selfservice answers it.
    path("api/accounts/claim/", EmailClaimApi.as_view(), name="email-claim"),
    path("api/accounts/claim/confirm/", EmailClaimConfirmApi.as_view(), name="email-claim-confirm"),
    path("api/", include("outbound.urls")),
    path("api/", include("orders.urls")),
    # Cancelling an order-first order closes its provider order: payments answers it.
    path("api/orders/<id:pk>/cancel/", OrderCancelApi.as_view(), name="order-cancel"),
    path("api/orders/<id:pk>/invoice/", OrderInvoiceApi.as_view(), name="order-invoice"),
    path(
        "api/booking/bookings/<id:pk>/invoice/",
        BookingInvoiceApi.as_view(),
        name="booking-invoice",
    ),
    path("api/credit-notes/<id:pk>/", CreditNoteApi.as_view(), name="credit-note"),
    # Cancelling a paid booking refunds it: payments answers it.
    path("api/booking/bookings/<id:pk>/cancel/", BookingCancelApi.as_view(), name="booking-cancel"),
    path("api/booking/waitlist/", include("waitlist.urls")),
    path("api/booking/", include("bookings.urls")),
    path("api/cart/", include("cart.urls")),
    path("api/manage/", include("selfservice.urls")),
    path("api/payments/", include("payments.urls")),
]

if settings.PAYMENTS_SANDBOX:
    from sandbox.demo import storefront

    urlpatterns += [
        path("sandbox/", include("sandbox.urls")),
        path("demo/", storefront, name="demo"),
        path("demo/<path:path>", storefront),
        # The embedded default's front door leads to the demo (the sandbox runs in DEBUG only).
        path("", RedirectView.as_view(url="/demo/")),
    ]

handler404 = "config.errors.json_not_found"
handler500 = "config.errors.json_server_error"
