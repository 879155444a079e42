from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        from outbound.registry import event_types_register

        from .events import EVENT_TYPES

        event_types_register(*EVENT_TYPES)
