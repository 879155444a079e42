"""Thin tasks: each calls one service."""

from celery import shared_task

from .retention import retention_sweep
from .services import erasure_run, erasures_finish_unfinished


@shared_task
def erase_person(erasure_id: str) -> None:
    erasure_run(erasure_id=erasure_id)


@shared_task
def sweep_retention() -> None:
    retention_sweep()


@shared_task
def finish_erasures() -> None:
    erasures_finish_unfinished()
