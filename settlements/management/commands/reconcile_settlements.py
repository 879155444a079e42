"""`manage.py reconcile_settlements [--date YYYY-MM-DD] [--days N]`: pull settlements from
every provider that has them and match their lines (beat runs it daily)."""

from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from settlements.services import settlements_reconcile


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError("--date is YYYY-MM-DD, e.g. 2026-11-30.") from exc


class Command(BaseCommand):
    help = "Pull and match settlements of a day, or of the last SETTLEMENT_LOOKBACK_DAYS days."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD: this day (with --days: the last of them)")
        parser.add_argument("--days", type=int, help="how many days, up to --date or today")

    def handle(self, *args, date: str | None, days: int | None, **options):
        if days is not None and not 1 <= days <= 366:
            raise CommandError("--days is between 1 and 366.")
        if date is None and days is None:
            summary = settlements_reconcile(lookback=settings.SETTLEMENT_LOOKBACK_DAYS)
        else:
            last = _day(date) if date else None
            summary = settlements_reconcile(
                days=[last - timedelta(days=n) for n in range(days or 1)] if last else None,
                lookback=days or 1,
            )
        self.stdout.write(
            f"Days {summary.days[0]}…{summary.days[-1]}: {summary.lines} lines, "
            f"{len(summary.settlements)} settlements, {summary.revisited} revisited."
        )
        if summary.failures:
            raise CommandError("Not pulled: " + "; ".join(summary.failures))
