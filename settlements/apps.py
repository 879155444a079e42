from django.apps import AppConfig


class SettlementsConfig(AppConfig):
    name = "settlements"

    def ready(self):
        from config.admin import health_sections_register
        from config.metrics import gauges_register
        from payments.signals import settlement_announced

        from .gauges import SettlementGauges, settlement_health
        from .receivers import settlement_pull_when_announced

        gauges_register("settlements", SettlementGauges())
        health_sections_register("settlements", settlement_health)
        settlement_announced.connect(settlement_pull_when_announced, dispatch_uid="settlements")
