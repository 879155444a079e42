"""`manage.py prune_outbound_events [--days N]`: forget events older than
OUTBOUND_RETENTION_DAYS (beat runs it daily)."""

from django.core.management.base import BaseCommand

from outbound.services import events_prune


class Command(BaseCommand):
    help = "Forget outbound events (and their deliveries) older than the retention."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="older than this many days")

    def handle(self, *args, days: int | None, **options):
        self.stdout.write(f"{events_prune(days=days)} events pruned.")
