"""The Stripe sandbox's routes: Checkout Sessions and refunds, disputes, then payouts."""

from . import disputes, settlements, views

urlpatterns = [
    *views.urlpatterns,
    *disputes.urlpatterns,
    *settlements.urlpatterns,
]
