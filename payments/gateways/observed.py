"""Every call to a provider's API, timed, counted and logged in one place: the registry
hands out adapters wrapped in ObservedProvider, so the adapters stay plain SDK wrappers."""

import contextlib
import functools
import inspect
import time
from collections.abc import Iterator
from typing import TypeVar, cast

import structlog

from ..metrics import PROVIDER_CALL_ERRORS, PROVIDER_CALL_SECONDS

log = structlog.get_logger("paycart.providers")
# Methods that work locally (signatures, parsing): not calls to the provider.
LOCAL_WORK = ("_", "parse_", "read_", "verify_")
# Arguments that identify what was asked about; nothing else of a call is logged.
ID_ARGUMENTS = (
    "reference", "provider_order_id", "provider_payment_id", "provider_refund_id",
    "provider_dispute_id", "provider_settlement_id", "day",
)  # fmt: skip
_DONE = object()
Adapter = TypeVar("Adapter")


def observed(adapter: Adapter) -> Adapter:
    """The adapter with its API calls observed; it answers to the same methods."""
    return cast(Adapter, ObservedProvider(adapter))


class ObservedProvider:
    def __init__(self, adapter):
        self._adapter = adapter

    def __getattr__(self, name: str):
        attribute = getattr(self._adapter, name)
        if not callable(attribute) or name.startswith(LOCAL_WORK):
            return attribute
        return self._observed(name, attribute)

    @contextlib.contextmanager
    def _timed(self, action: str, kwargs: dict):
        provider = self._adapter.name
        outcome, started = "ok", time.perf_counter()
        try:
            yield
        except Exception as exc:
            outcome = type(exc).__name__
            PROVIDER_CALL_ERRORS.labels(provider, action, outcome).inc()
            raise
        finally:
            seconds = time.perf_counter() - started
            PROVIDER_CALL_SECONDS.labels(provider, action, outcome).observe(seconds)
            (log.info if outcome == "ok" else log.warning)(
                "provider_call",
                provider=provider,
                action=action,
                outcome=outcome,
                duration_ms=round(seconds * 1000, 1),
                **{key: kwargs[key] for key in ID_ARGUMENTS if kwargs.get(key)},
            )

    def _pages(self, action: str, pages: Iterator, kwargs: dict) -> Iterator:
        """A paged read: each page is one observed call."""
        while True:
            with self._timed(action, kwargs):
                page = next(pages, _DONE)
            if page is _DONE:
                return
            yield page

    def _observed(self, action: str, method):
        @functools.wraps(method)
        def call(*args, **kwargs):
            with self._timed(action, kwargs):
                answer = method(*args, **kwargs)
            if inspect.isgenerator(answer):
                return self._pages(action, answer, kwargs)
            return answer

        return call
