"""Thin tasks: each calls one service."""

from celery import shared_task

from .relay import outbound_relay
from .services import events_prune


@shared_task
def relay_outbound() -> None:
    outbound_relay()


@shared_task
def prune_outbound_events() -> None:
    events_prune()
