"""`manage.py sandbox_dispute <payment id> [--outcome won|lost]`: the shopper's bank
disputes a paid payment at the sandbox provider, which sends its signed dispute events to
this site (the service must be running: ./scripts/run.sh), so the whole life of a dispute
shows in admin."""

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse

from payments.models import Payment


class Command(BaseCommand):
    help = "Raise a dispute of a paid payment at the sandbox provider (PAYMENTS_SANDBOX only)."

    def add_arguments(self, parser):
        parser.add_argument("payment_id", help="our payment's id (a UUID)")
        parser.add_argument("--outcome", choices=["won", "lost"], help="end it at once")

    def handle(self, *args, payment_id, outcome, **options):
        if not settings.PAYMENTS_SANDBOX:
            raise CommandError("The sandbox is off (PAYMENTS_SANDBOX).")
        payment = Payment.objects.filter(pk=payment_id, captured_amount__isnull=False).first()
        if payment is None or not payment.provider_payment_id:
            raise CommandError(f"No paid payment {payment_id}.")
        try:
            path = reverse(
                f"sandbox-{payment.provider}-dispute", args=[payment.provider_payment_id]
            )
        except NoReverseMatch as exc:
            raise CommandError(f"{payment.provider} has no dispute API to play.") from exc
        answer = requests.post(
            f"{settings.SANDBOX_ORIGIN}{path}", data={"outcome": outcome or ""}, timeout=30
        )
        if answer.status_code != 200:
            raise CommandError(f"The sandbox refused: {answer.text[:200]}")
        self.stdout.write(f"Dispute {answer.json()['id']} raised for payment {payment.pk}.")
