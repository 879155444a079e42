"""Mounted under /sandbox/ only when PAYMENTS_SANDBOX is on: each gateway package's
stand-in (where it ships one) under /sandbox/<name>/, mirroring the provider's own paths, so
RAZORPAY_BASE_URL=<site>/sandbox/razorpay (and likewise) is all a client changes."""

from importlib import import_module

from django.urls import path

from ..gateways.registry import gateways
from .receiver import receiver

urlpatterns = [
    path("receiver/", receiver, name="sandbox-receiver"),
] + [
    path(f"{gateway.name}/{route.pattern}", route.callback, name=route.name)
    for gateway in gateways().values()
    if gateway.sandbox_urls
    for route in import_module(gateway.sandbox_urls).urlpatterns
]
