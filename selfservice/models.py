from django.conf import settings
from django.db import models
from django.db.models import Q


class EmailClaim(models.Model):
    """A signed-in user proving they read their account's email, to take the guest orders
    and bookings made with it. The 6-digit code is never stored: it is the HMAC of the
    row's nonce (so the mailing job makes it again, and no copy sits in a queue)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_claims"
    )
    nonce = models.CharField(max_length=32)
    expires_at = models.DateTimeField()
    tries_left = models.PositiveSmallIntegerField(default=5)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    claimed = models.PositiveIntegerField(default=0, help_text="orders and bookings taken")
    code_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(tries_left__lte=5), name="claim_tries_at_most_5"),
        ]

    def __str__(self) -> str:
        return f"Email claim {self.pk} of user {self.user_id}"
