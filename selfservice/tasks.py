"""Thin tasks: each calls one service."""

from celery import shared_task

from .claims import email_claim_send
from .services import manage_links_send


@shared_task
def send_manage_links(email: str) -> None:
    manage_links_send(email=email)


@shared_task
def send_claim_code(claim_id: int) -> None:
    email_claim_send(claim_id=claim_id)
