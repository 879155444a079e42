"""PhonePe's own model: its OAuth access token, shared by every server process (the payments
app keeps its table)."""

from django.db import models

from config.personal_data import PersonalData, personal_data


class ProviderToken(models.Model):
    """A provider's OAuth access token, shared by every server process until near expiry."""

    key = models.CharField(max_length=100, unique=True)
    access_token = models.TextField()
    expires_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "payments"

    def __str__(self) -> str:
        return f"{self.key} (expires {self.expires_at:%Y-%m-%d %H:%M})"


personal_data(PersonalData("payments.ProviderToken", person="", not_personal=("access_token",)))
