"""The Razorpay sandbox's routes: payments and links, disputes, then settlements."""

from . import sandbox, sandbox_disputes, sandbox_settlements

urlpatterns = [
    *sandbox.urlpatterns,
    *sandbox_disputes.urlpatterns,
    *sandbox_settlements.urlpatterns,
]
