from django.core.management.base import BaseCommand

from payments.webhooks import webhook_events_prune


class Command(BaseCommand):
    help = "Forget rejected and old settled webhook deliveries past their retention."

    def handle(self, *args, **options):
        self.stdout.write(f"Pruned {webhook_events_prune()} webhook deliveries.")
