"""`manage.py relay_outbound_events`: send every due event delivery now (what the relay job
does after each change and beat does every OUTBOUND_RELAY_EVERY_SECONDS)."""

from django.core.management.base import BaseCommand

from outbound.relay import outbound_relay


class Command(BaseCommand):
    help = "Send every due outbound event delivery now."

    def handle(self, *args, **options):
        self.stdout.write(f"{outbound_relay()} attempts.")
