"""Celery, as Celery's own Django guide sets it up: settings from Django's (CELERY_*),
tasks found in each app's tasks.py. With no CELERY_BROKER_URL, tasks run eagerly
in-process, so the embedded default needs nothing else."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("paycart")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _log_as_django_does(**kwargs):
    """Workers log through Django's LOGGING (JSON lines in production, LOG_LEVEL), not
    Celery's own format; --loglevel is then unused."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
