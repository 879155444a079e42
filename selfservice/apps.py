from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "selfservice"
    verbose_name = "The devotee's own purchases (manage links)"

    def ready(self):
        from . import tasks  # noqa: F401  (services enqueue them by name)
