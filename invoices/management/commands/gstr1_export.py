"""`manage.py gstr1_export --month YYYY-MM [--out DIR] [--format csv|json]`: the month's
GSTR-1 as the GST portal's Returns Offline Tool imports it, one CSV per table (b2b, b2cl,
b2cs, cdnr, cdnur, exp, exemp, hsn(b2b), hsn(b2c), docs), or as the portal's JSON."""

import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.spreadsheets import SafeDictWriter
from invoices.gstr1 import HEADERS, gstr1_tables
from invoices.gstr1_json import gstr1_json


class Command(BaseCommand):
    help = "Write a month's GSTR-1 as the Returns Offline Tool imports it (CSV) or as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", default=".", help="folder for the files")
        parser.add_argument("--format", default="csv", choices=["csv", "json"])

    def handle(self, *args, month: str, out: str, format: str, **options):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CommandError("--month is YYYY-MM, e.g. 2026-11.")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        if format == "json":
            path = folder / f"gstr1-{month}.json"
            path.write_text(json.dumps(gstr1_json(month), indent=1))
            self.stdout.write(str(path))
            return
        for name, rows in gstr1_tables(month).items():
            path = folder / f"gstr1-{month}-{name}.csv"
            with path.open("w", newline="") as file:
                writer = SafeDictWriter(file, fieldnames=HEADERS[name])
                writer.writeheader()
                writer.writerows(rows)
            self.stdout.write(f"{path}: {len(rows)} rows")
