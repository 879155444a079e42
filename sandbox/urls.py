"""Mounted under /sandbox/ only when PAYMENTS_SANDBOX is on: each provider's stand-in (a
package of this app named as the gateway) under /sandbox/<name>/, mirroring the provider's
own paths, so RAZORPAY_BASE_URL=<site>/sandbox/razorpay (and likewise) is all a client
changes."""

from importlib import import_module

from django.urls import path
from django.utils.module_loading import module_has_submodule

import sandbox
from payments.gateways.registry import gateways

from .receiver import receiver

urlpatterns = [
    path("receiver/", receiver, name="sandbox-receiver"),
] + [
    path(f"{name}/{route.pattern}", route.callback, name=route.name)
    for name in gateways()
    if module_has_submodule(sandbox, name)
    for route in import_module(f"sandbox.{name}.urls").urlpatterns
]
