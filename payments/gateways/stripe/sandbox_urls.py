"""The Stripe sandbox's routes: Checkout Sessions and refunds, disputes, then payouts."""

from . import sandbox, sandbox_disputes, sandbox_settlements

urlpatterns = [
    *sandbox.urlpatterns,
    *sandbox_disputes.urlpatterns,
    *sandbox_settlements.urlpatterns,
]
