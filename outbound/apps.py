from django.apps import AppConfig


class OutboundConfig(AppConfig):
    name = "outbound"

    def ready(self):
        from config.admin import health_sections_register
        from config.metrics import gauges_register

        from .gauges import OutboundGauges, outbound_health

        gauges_register("outbound", OutboundGauges())
        health_sections_register("outbound", outbound_health)
