from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from outbound.registry import event_types_register

        from .events import EVENT_TYPES

        event_types_register(*EVENT_TYPES)
