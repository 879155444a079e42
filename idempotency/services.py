"""Safe client retries: the same Idempotency-Key and body answer the first answer again
and create nothing; another body is refused; a retry while the first runs is refused."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyKey

KEY_LIFETIME = timedelta(hours=24)


class KeyReused(Exception):
    """The key was used for a different request (→ 422)."""


class StillRunning(Exception):
    """The first request with this key has not finished (→ 409)."""


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: object


def fingerprint(*, method: str, path: str, body: object) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_claim(*, user, key: str, request_fingerprint: str) -> Replay | None:
    """None when this request may run (the key is now claimed); a Replay of the first
    answer when it already ran."""
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - KEY_LIFETIME
    ).delete()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, key=key, fingerprint=request_fingerprint)
        return None
    except IntegrityError:
        earlier = IdempotencyKey.objects.get(user=user, key=key)
    if earlier.fingerprint != request_fingerprint:
        raise KeyReused("This Idempotency-Key was used with a different request.")
    if earlier.completed_at is None:
        raise StillRunning("A request with this Idempotency-Key is still being processed.")
    return Replay(status_code=earlier.status_code, body=earlier.response_body)


def idempotency_complete(*, user, key: str, status_code: int, body: object) -> None:
    IdempotencyKey.objects.filter(user=user, key=key).update(
        status_code=status_code, response_body=body, completed_at=timezone.now()
    )


def idempotency_release(*, user, key: str) -> None:
    """The request failed on our side (5xx): a retry with the key runs it again."""
    IdempotencyKey.objects.filter(user=user, key=key, completed_at__isnull=True).delete()
