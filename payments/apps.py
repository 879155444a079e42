from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self):
        from config.metrics import gauges_register

        from .gauges import PaymentGauges

        gauges_register("payments", PaymentGauges())
