"""Safe client retries: the same Idempotency-Key and body answer the first answer again
and create nothing; another body is refused; a retry while the first runs is refused.

A request claims its key before it runs. A claim not answered after
IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS belongs to a request that died (its worker was killed,
it timed out): the next retry takes the claim over, by a conditional UPDATE only one
retry can win, and only the holder of the current claim stores its answer."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import Conflict, Unprocessable

from .models import IdempotencyKey

KEY_LIFETIME = timedelta(hours=24)
# Two requests with one key racing each other: claim, lose, look, and find the winner gone
# (it failed and released the key) is possible a few times; never more than this.
CLAIM_TRIES = 3


class KeyReused(Unprocessable):
    """The key was used for a different request."""


class StillRunning(Conflict):
    """The first request with this key has not finished."""


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: object


@dataclass(frozen=True)
class Claim:
    """The right to run the request with this key, and to store its answer."""

    user_id: int
    key: str
    claimed_at: datetime


def fingerprint(*, method: str, path: str, body: object) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _take_over(earlier: IdempotencyKey, now: datetime) -> Claim | None:
    """The claim of a request that died, for this retry; None when another retry won it."""
    taken = IdempotencyKey.objects.filter(
        pk=earlier.pk, claimed_at=earlier.claimed_at, completed_at__isnull=True
    ).update(claimed_at=now)
    return Claim(earlier.user_id, earlier.key, now) if taken else None


def idempotency_claim(*, user, key: str, request_fingerprint: str) -> Claim | Replay:
    """A Claim when this request may run; a Replay of the first answer when it already
    ran. KeyReused or StillRunning otherwise."""
    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=now - KEY_LIFETIME).delete()
    for _ in range(CLAIM_TRIES):
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=request_fingerprint, claimed_at=now
                )
            return Claim(user.pk, key, now)
        except IntegrityError:
            earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
        if earlier is None:
            continue  # the first request failed and let its key go meanwhile: claim again
        if earlier.fingerprint != request_fingerprint:
            raise KeyReused("This Idempotency-Key was used with a different request.")
        if earlier.completed_at is not None:
            return Replay(status_code=earlier.status_code, body=earlier.response_body)
        timeout = timedelta(seconds=settings.IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS)
        if earlier.claimed_at <= now - timeout and (claim := _take_over(earlier, now)):
            return claim
        break
    raise StillRunning("A request with this Idempotency-Key is still being processed.")


def _held(claim: Claim):
    return IdempotencyKey.objects.filter(
        user_id=claim.user_id, key=claim.key, claimed_at=claim.claimed_at, completed_at__isnull=True
    )


def idempotency_complete(*, claim: Claim, status_code: int, body: object) -> None:
    _held(claim).update(status_code=status_code, response_body=body, completed_at=timezone.now())


def idempotency_release(*, claim: Claim) -> None:
    """The request failed on our side (5xx): a retry with the key runs it again."""
    _held(claim).delete()
