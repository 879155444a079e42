"""The Razorpay sandbox's routes: payments and links, then disputes."""

from . import sandbox, sandbox_disputes

urlpatterns = [*sandbox.urlpatterns, *sandbox_disputes.urlpatterns]
