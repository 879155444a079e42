from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Personal data (DPDP Act): exports, erasures, retention"

    def ready(self):
        from outbound.registry import event_types_register

        from . import tasks  # noqa: F401  (enqueued by name)
        from .events import EVENT_TYPES

        event_types_register(*EVENT_TYPES)
