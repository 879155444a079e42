import uuid

from django.db import models

from config.personal_data import PersonalData, personal_data


class ErasureStatus(models.TextChoices):
    SCHEDULED = "SCHEDULED", "Scheduled: the job erases within minutes"
    DONE = "DONE", "Done"


class Erasure(models.Model):
    """One person's data erased: when, on whose word (the person, staff, or a retention
    rule), and what was kept and why. It holds no personal data itself."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person_id = models.BigIntegerField(db_index=True, help_text="the account row erased")
    asked_by = models.CharField(max_length=80, help_text="the person, staff <id>, or a rule")
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.SCHEDULED
    )
    kept = models.JSONField(default=list, help_text="what stays, and the law that keeps it")
    erased = models.JSONField(default=dict, help_text="rows erased, per table")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Erasure {self.id} ({self.status})"


personal_data(
    # What an erasure kept and erased: table names, counts and laws, never a person's data.
    PersonalData("privacy.Erasure", person="", not_personal=("kept", "erased")),
)
