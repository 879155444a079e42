"""`manage.py settlement_report --month YYYY-MM [--out FILE]`: the month's settlement lines
and totals as CSV (standard output unless a file is named)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.exceptions import Invalid
from settlements.report import report_month, settlement_report_write


class Command(BaseCommand):
    help = "Write a month's settlement lines, with their totals, fees and GST on fees, as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", help="a CSV file to write (default: standard output)")

    def handle(self, *args, month: str, out: str | None, **options):
        try:
            first_day = report_month(month)
        except Invalid as exc:
            raise CommandError(str(exc)) from exc
        if out is None:
            settlement_report_write(first_day, self.stdout)
            return
        with Path(out).open("w", newline="") as file:
            count = settlement_report_write(first_day, file)
        self.stderr.write(f"{out}: {count} lines")
