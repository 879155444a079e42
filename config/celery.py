"""Celery, as Celery's own Django guide sets it up: settings from Django's (CELERY_*),
tasks found in each app's tasks.py. With no CELERY_BROKER_URL, tasks run eagerly
in-process, so the embedded default needs nothing else."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("paycart")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
