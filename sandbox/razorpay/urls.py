"""The Razorpay sandbox's routes: payments and links, disputes, then settlements."""

from . import disputes, settlements, views

urlpatterns = [
    *views.urlpatterns,
    *disputes.urlpatterns,
    *settlements.urlpatterns,
]
