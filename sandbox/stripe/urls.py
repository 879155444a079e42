"""The Stripe sandbox's routes."""

from .views import urlpatterns

__all__ = ["urlpatterns"]
