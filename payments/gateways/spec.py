"""What the provider-agnostic code knows of one gateway package: its name, how its adapter
is built from settings, and where its routes are. Each package's __init__ declares one."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Gateway:
    name: str  # as stored on payments and named in PAYMENT_PROVIDERS
    label: str
    adapter: str  # the adapter class's dotted path (imported when first used)
    # The adapter's keyword arguments, read from settings at call time: a changed setting
    # builds a new adapter.
    config: Callable[[], dict]
    urls: str  # its API routes, mounted under /api/payments/
    # What the adapter needs beside its settings (a token store), not part of its identity.
    dependencies: Callable[[], dict] = field(default=dict)

    def adapter_class(self) -> type:
        return import_string(self.adapter)
