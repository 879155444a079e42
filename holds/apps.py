from django.apps import AppConfig


class HoldsConfig(AppConfig):
    name = "holds"

    def ready(self):
        from config.metrics import gauges_register

        from .gauges import HoldGauges

        gauges_register("holds", HoldGauges())
