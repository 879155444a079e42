from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "observability"

    def ready(self):
        from . import requests, task_signals  # noqa: F401  (connect their signal receivers)
