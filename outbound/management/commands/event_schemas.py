"""`manage.py event_schemas [--out FILE]`: every event type with its JSON Schema, as the page
docs/events.md (printed, or written to FILE)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from outbound.published import events_page


class Command(BaseCommand):
    help = "Write the event types and their JSON Schemas as a Markdown page."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="the file to write (default: print it)")

    def handle(self, *args, out: str | None, **options):
        if out:
            Path(out).write_text(events_page())
            self.stdout.write(f"Wrote {out}.")
        else:
            self.stdout.write(events_page(), ending="")
