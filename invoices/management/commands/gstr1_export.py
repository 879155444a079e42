"""`manage.py gstr1_export --month YYYY-MM [--out DIR]`: the month's GSTR-1 tables as CSV
files (b2b, b2cs, cdnr, cdnur, hsn, docs) for the shop's accountant to upload."""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.spreadsheets import SafeDictWriter
from invoices.gstr1 import gstr1_tables


class Command(BaseCommand):
    help = "Write a month's GSTR-1 tables as CSV files."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", default=".", help="folder for the CSV files")

    def handle(self, *args, month: str, out: str, **options):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CommandError("--month is YYYY-MM, e.g. 2026-11.")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in gstr1_tables(month).items():
            path = folder / f"gstr1-{month}-{name}.csv"
            with path.open("w", newline="") as file:
                if rows:
                    writer = SafeDictWriter(file, fieldnames=list(rows[0]))
                    writer.writeheader()
                    writer.writerows(rows)
            self.stdout.write(f"{path}: {len(rows)} rows")
