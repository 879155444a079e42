"""Emails that must go out exactly once per thing, however many workers race: the row is
claimed by a conditional UPDATE before sending, and released if sending failed so the
task's retry sends it."""

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Model
from django.utils import timezone


def send_once(
    instance: Model, claim_field: str, *, subject: str, body: str, to: str | list[str]
) -> bool:
    """False when it was sent (or is being sent) already."""
    rows = type(instance).objects.filter(pk=instance.pk, **{f"{claim_field}__isnull": True})
    if not rows.update(**{claim_field: timezone.now()}):
        return False
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to] if isinstance(to, str) else to)
    except Exception:
        type(instance).objects.filter(pk=instance.pk).update(**{claim_field: None})
        raise
    return True
