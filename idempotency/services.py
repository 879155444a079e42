"""Safe client retries: the same Idempotency-Key and body answer the first answer again
and create nothing; another body is refused; a retry while the first runs is refused, with
when to try again.

A request claims its key before it runs, naming its process. A request that died with its
process (a worker killed, or timed out and replaced) is let go at once: the gunicorn master
that ran the worker releases that process's claims when it reaps it, so the retry a few
seconds later runs. A plain DELETE on the master's own connection: it works with several app
servers and through PgBouncer in transaction mode, where a lock that lives as long as a
session would not. A claim not answered after IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS (a whole
host gone, its master with it) is taken over by the next retry, by a conditional UPDATE
only one retry can win; only the holder of the current claim stores its answer."""

import hashlib
import json
import os
import socket
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


# What a "still running" answer tells the client to wait before it retries: a live
# request finishes in seconds, and a dead one is let go within seconds.
STILL_RUNNING_RETRY_AFTER = 2


class StillRunning(Conflict):
    """The first request with this key has not finished."""

    def __init__(self, message: str):
        super().__init__(message, retry_after=STILL_RUNNING_RETRY_AFTER)


def process_name(pid: int | None = None) -> str:
    """Who runs a request: this host and a process of it (this one by default)."""
    return f"{socket.gethostname()[:80]}:{pid or os.getpid()}"


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
    ).update(claimed_at=now, claimed_by=process_name())
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
                    user=user,
                    key=key,
                    fingerprint=request_fingerprint,
                    claimed_at=now,
                    claimed_by=process_name(),
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


def idempotency_release_claims_of(*, process: str) -> int:
    """A process died: the requests it was running will never answer, so their keys are
    free for the retries (which run them again). How many were let go."""
    return IdempotencyKey.objects.filter(claimed_by=process, completed_at__isnull=True).delete()[0]
