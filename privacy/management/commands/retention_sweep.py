from django.core.management.base import BaseCommand

from privacy.retention import retention_sweep


class Command(BaseCommand):
    help = "Erase, on the retention schedule, what no law keeps (beat runs it daily)."

    def handle(self, *args, **options):
        for what, count in retention_sweep().items():
            self.stdout.write(f"{what}: {count}")
