"""Thin tasks: each calls one service."""

from celery import shared_task

from .services import offer_email_send, waitlist_offer_freed_places


@shared_task
def offer_freed_places() -> None:
    waitlist_offer_freed_places()


@shared_task
def send_offer(entry_id: int) -> None:
    offer_email_send(entry_id=entry_id)
