"""Thin tasks: each calls one service."""

from celery import shared_task

from .services import manage_links_send


@shared_task
def send_manage_links(email: str) -> None:
    manage_links_send(email=email)
