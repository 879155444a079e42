from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self):
        from config.metrics import gauges_register
        from outbound.registry import event_types_register

        from . import events
        from .disputes import events as dispute_events
        from .gauges import PaymentGauges

        gauges_register("payments", PaymentGauges())
        event_types_register(*events.EVENT_TYPES, *dispute_events.EVENT_TYPES)
