"""Background runs over many items: one item that raises is logged with its id and
skipped, and the run goes on (each step holds its own transaction, so nothing is left
half-written)."""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db.models import Model

logger = logging.getLogger(__name__)
Row = TypeVar("Row", bound=Model)


def run_isolated(items: Iterable[Row], step: Callable[[Row], str], *, what: str) -> Counter:
    """Apply `step` to every item; it answers the outcome to count ("" counts nothing)."""
    outcome: Counter = Counter()
    for item in items:
        try:
            key = step(item)
        except Exception as exc:  # isolate the item; its id and the error's kind are logged
            logger.error("%s %s failed and was skipped: %s", what, item.pk, type(exc).__name__)
            outcome["errors"] += 1
        else:
            if key:
                outcome[key] += 1
    return outcome
