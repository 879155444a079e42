"""The Stripe sandbox's routes: Checkout Sessions and refunds, then disputes."""

from . import sandbox, sandbox_disputes

urlpatterns = [*sandbox.urlpatterns, *sandbox_disputes.urlpatterns]
