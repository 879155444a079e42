from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self):
        from config.metrics import gauges_register
        from outbound.registry import event_types_register

        from . import events, tasks  # noqa: F401  (tasks: the jobs services enqueue by name)
        from .disputes import events as dispute_events
        from .gauges import PaymentGauges

        gauges_register("payments", PaymentGauges())
        event_types_register(*events.EVENT_TYPES, *dispute_events.EVENT_TYPES)
