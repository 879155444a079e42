# The Celery app loads with Django, so tasks enqueued by the web process use its settings.
from .celery import app as celery_app

__all__ = ("celery_app",)
