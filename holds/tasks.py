"""Thin tasks: each calls one service."""

from celery import shared_task

from .services import holds_prune


@shared_task
def prune_lapsed_holds() -> None:
    holds_prune()
