from django.conf import settings
from django.db import models
from django.utils import timezone

from config.personal_data import PersonalData, personal_data


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key for one creating POST, and the answer it got. The
    unique (user, key) row is claimed before the work runs, so concurrent retries wait
    their turn or are told the first is still running."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the request now running with this key claimed it. A claim older than
    # IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS belongs to a request that died, and a retry takes it
    # over; the answer is stored only by the request holding the current claim.
    claimed_at = models.DateTimeField(default=timezone.now)
    # The process running the request (host:pid). When it dies, the gunicorn master that
    # ran it lets its claims go at once (gunicorn.conf.py), so a retry need not wait out the
    # timeout above; the timeout is left for a whole host that died.
    claimed_by = models.CharField(max_length=100, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]
        indexes = [
            models.Index(
                fields=["claimed_by"],
                condition=models.Q(completed_at__isnull=True),
                name="idempotency_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


personal_data(
    # The stored answer repeats what the request made (a checkout's prefill email, say).
    PersonalData("idempotency.IdempotencyKey", person="user", json_fields=("response_body",)),
)
