"""`manage.py sandbox_settle [--provider NAME]`: each sandbox provider with settlements
settles now what a real one settles each morning (captured payments net of a 2% fee and the
18% GST on it, refunds and lost disputes taken off) and sends its signed settlement event
to this site (the service must be running: ./scripts/run.sh), which reads it back and
reconciles it; admin then shows the settlement."""

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse


class Command(BaseCommand):
    help = "Settle what is due at the sandbox providers now (PAYMENTS_SANDBOX only)."

    def add_arguments(self, parser):
        parser.add_argument("--provider", help="only this provider (default: every one)")

    def handle(self, *args, provider: str | None, **options):
        if not settings.PAYMENTS_SANDBOX:
            raise CommandError("The sandbox is off (PAYMENTS_SANDBOX).")
        names = [provider] if provider else list(settings.PAYMENT_PROVIDERS)
        settled = 0
        for name in names:
            try:
                path = reverse(f"sandbox-{name}-settle")
            except NoReverseMatch:
                if provider:
                    raise CommandError(f"{name} has no settlements to play.") from None
                continue
            answer = requests.post(f"{settings.SANDBOX_ORIGIN}{path}", timeout=60)
            if answer.status_code != 200:
                self.stdout.write(f"{name}: {answer.json().get('error', answer.text[:200])}")
                continue
            body = answer.json()
            self.stdout.write(f"{name}: settlement {body['id']} of {body['amount'] / 100:.2f}")
            settled += 1
        if not settled:
            raise CommandError("Nothing was settled.")
