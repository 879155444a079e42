"""The outbox: events written in the same transaction as the change they report, each with
one delivery per endpoint that wants it, and every attempt at it. An event is a fact: it is
never edited; a resend is a new attempt."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from config.personal_data import PersonalData, personal_data


class Endpoint(models.Model):
    """A system of the shop's that hears about events (its ERP, courier, priest app)."""

    url = models.URLField(max_length=500)
    # Replaced by Subscription; kept one release so the release before this one, running
    # beside it during a rolling deploy, still reads it (the next release drops it).
    event_types = models.CharField(max_length=1000, blank=True)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100)  # whsec_ + base64 of 32 random bytes
    # During a rotation deliveries are signed with both until this time.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    # Since when every attempt failed (null: the last one was delivered); after
    # OUTBOUND_DISABLE_AFTER_HOURS of it the endpoint is disabled and staff emailed.
    failing_since = models.DateTimeField(null=True, blank=True)
    # A failing endpoint is left alone until then, so one dead receiver never holds up the
    # relay with a timeout per event.
    paused_until = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def events(self) -> list[str]:
        """The event types it wants (none: every event)."""
        return sorted(wanted.event_type for wanted in self.subscriptions.all())


class Subscription(models.Model):
    """One event type an endpoint wants; an endpoint with none wants every event."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="subscriptions")
    event_type = models.CharField(max_length=50)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event_type", "endpoint"], name="subscription_once_per_endpoint"
            )
        ]

    def __str__(self) -> str:
        return self.event_type


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)  # the feed's order
    public_id = models.CharField(max_length=40, unique=True)  # evt_…
    type = models.CharField(max_length=50, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)  # of its type's payload
    created_at = models.DateTimeField(db_index=True)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    # Whose personal data the payload may carry (an order's addresses, an invoice's buyer):
    # an erasure scrubs that person's events.
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"

    @property
    def envelope(self) -> dict:
        """The event as receivers and the feed get it."""
        return {
            "id": self.public_id,
            "type": self.type,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "data": self.data,
        }


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending: not delivered yet (retried until it is, or given up)"
    DELIVERED = "delivered", "Delivered: the endpoint answered 2xx"
    FAILED = "failed", "Failed: refused by the endpoint, or retried for days in vain"


class Delivery(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # Retried until then (OUTBOUND_RETRY_HOURS after it was made or resent), then failed.
    retry_until = models.DateTimeField()
    # A relay that claimed it sends it before then; one that died leaves it to the next.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_once_per_endpoint")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", "Delivered"
    RETRY = "retry", "Will be retried"
    FAILED = "failed", "Failed for good"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.TextField(blank=True)  # the answer's first 1 KB
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.status_code or ''}"


personal_data(
    # An order's addresses, an invoice's buyer: scrubbed, the event's ids and amounts stay.
    PersonalData("outbound.Event", person="person_id", scrubbed_json_fields=("data",)),
    # The receiving system's answer, not the person's data.
    PersonalData("outbound.Attempt", person="", not_personal=("response_excerpt",)),
)
