"""Emails that must go out exactly once per thing, however many workers race: the row is
claimed by a conditional UPDATE before sending, and released if sending failed so the
task's retry sends it."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Model
from django.utils import timezone

# (file name, content, MIME type)
Attachment = tuple[str, bytes, str]
# What an app above attaches to another app's email (invoices: the tax document's PDF to
# the receipt), registered at ready(): an email never imports the app that adds to it.
_attachers: dict[str, Callable[[Any], Attachment | None]] = {}


def attachment_register(kind: str, attacher: Callable[[Any], Attachment | None]) -> None:
    _attachers[kind] = attacher


def attachments_for(kind: str, instance: Model) -> list[Attachment]:
    attacher = _attachers.get(kind)
    attachment = attacher(instance) if attacher else None
    return [attachment] if attachment else []


def tax_document_note() -> str:
    """What a receipt says of tax: its document is attached, or (GST off) it is not one."""
    if settings.GST_SELLER_GSTIN:
        return "Your tax document is attached.\n"
    return "This receipt is not a tax invoice.\n"


def send_once(
    instance: Model,
    claim_field: str,
    *,
    subject: str,
    body: str,
    to: str | list[str],
    attachments: list[Attachment] | None = None,
) -> bool:
    """False when it was sent (or is being sent) already."""
    rows = type(instance).objects.filter(pk=instance.pk, **{f"{claim_field}__isnull": True})
    if not rows.update(**{claim_field: timezone.now()}):
        return False
    try:
        message = EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [to] if isinstance(to, str) else to,
            attachments=attachments or [],
        )
        message.send()
    except Exception:
        type(instance).objects.filter(pk=instance.pk).update(**{claim_field: None})
        raise
    return True
