"""The gateways there are, found by themselves (every subpackage of payments.providers
declaring a GATEWAY), and their adapters: built from settings at call time (so a changed
setting applies) and kept per thread while the settings stay the same, so an adapter's
HTTP session keeps its connection to the provider open between calls."""

import functools
import importlib
import pkgutil
import threading
from types import ModuleType
from typing import TypeVar, cast

from django.conf import settings
from django.utils.module_loading import module_has_submodule

from .base import CapabilityMissing, DisputeApi, PaymentProvider, ProviderDisabled, SettlementApi
from .observed import observed
from .spec import Gateway

PROVIDERS = "payments.providers"


@functools.cache
def gateway_packages() -> tuple[ModuleType, ...]:
    """Every subpackage of payments.providers, then those PAYMENT_GATEWAY_PACKAGES names (a
    gateway kept elsewhere). Imported by name, so nothing here depends on a provider: the
    providers stand above the payment services their flows call."""
    providers = importlib.import_module(PROVIDERS)
    names = [
        f"{PROVIDERS}.{module.name}"
        for module in pkgutil.iter_modules(providers.__path__)
        if module.ispkg
    ]
    return tuple(
        importlib.import_module(name) for name in [*names, *settings.PAYMENT_GATEWAY_PACKAGES]
    )


@functools.cache
def gateways() -> dict[str, Gateway]:
    return {package.GATEWAY.name: package.GATEWAY for package in gateway_packages()}


def gateway_modules(kind: str) -> list[ModuleType]:
    """Each gateway package's own `kind` module (models, admin), where it has one."""
    return [
        importlib.import_module(f"{package.__name__}.{kind}")
        for package in gateway_packages()
        if module_has_submodule(package, kind)
    ]


def gateway(name: str) -> Gateway:
    if name not in gateways():
        raise LookupError(f"Unknown payment provider {name!r}")
    return gateways()[name]


def gateway_choices() -> list[tuple[str, str]]:
    """The providers a payment may name (Payment.provider's choices)."""
    return [(g.name, g.label) for g in gateways().values()]


def capability(name: str, what: str):
    """A fact about how a provider works, from its adapter class (no adapter is built,
    nothing is called): e.g. capability(payment.provider, "repeat_captures")."""
    return getattr(gateway(name).adapter_class(), what)


def supports(name: str, api: type) -> bool:
    """Whether the provider's adapter has a capability (DisputeApi, SettlementApi)."""
    return issubclass(gateway(name).adapter_class(), api)


def provider_enabled(name: str) -> bool:
    return name in settings.PAYMENT_PROVIDERS


def require_enabled(name: str) -> None:
    if not provider_enabled(name):
        raise ProviderDisabled(f"The payment provider {name} is switched off.")


_kept = threading.local()


def get_provider(name: str) -> PaymentProvider:
    """This thread's adapter for the provider, observed (every API call timed, counted and
    logged); built again when one of its settings changed."""
    spec = gateway(name)
    require_enabled(name)
    config = spec.config()
    kept = vars(_kept).setdefault("adapters", {})
    key = tuple(config.items())
    if name not in kept or kept[name][0] != key:
        adapter = spec.adapter_class()(**config, **spec.dependencies())
        kept[name] = (key, observed(adapter))
    return kept[name][1]


Api = TypeVar("Api")
MISSING = {
    DisputeApi: "no dispute API: settle the dispute at its dashboard",
    SettlementApi: "no settlement API",
}


def provider_api(name: str, api: type[Api]) -> Api:
    """This thread's adapter for the provider as one capability (DisputeApi, SettlementApi),
    or CapabilityMissing when it has not that one."""
    if not supports(name, api):
        what = MISSING.get(api, f"no {api.__name__}")
        raise CapabilityMissing(f"{gateway(name).label} has {what}.")
    return cast(Api, get_provider(name))
