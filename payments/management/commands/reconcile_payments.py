from django.core.management.base import BaseCommand

from payments.services.reconciliation import payments_reconcile


class Command(BaseCommand):
    help = "Ask the providers about payments pending too long; complete, fail or expire them."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=900, metavar="SECONDS")

    def handle(self, *args, older_than: int, **options):
        outcome = payments_reconcile(older_than_seconds=older_than)
        summary = ", ".join(f"{count} {state}" for state, count in sorted(outcome.items()))
        self.stdout.write(f"Reconciled: {summary or 'nothing pending'}")
