from django.apps import AppConfig


class SettlementsConfig(AppConfig):
    name = "settlements"

    def ready(self):
        from config.admin import health_sections_register
        from config.metrics import gauges_register
        from outbound.registry import event_types_register
        from payments.signals import settlement_announced

        from .events import EVENT_TYPES
        from .gauges import SettlementGauges, settlement_health
        from .receivers import settlement_pull_when_announced

        gauges_register("settlements", SettlementGauges())
        health_sections_register("settlements", settlement_health)
        event_types_register(*EVENT_TYPES)
        settlement_announced.connect(settlement_pull_when_announced, dispatch_uid="settlements")
