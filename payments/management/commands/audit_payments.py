from django.core.management.base import BaseCommand, CommandError

from payments.ledger import payments_audit


class Command(BaseCommand):
    help = (
        "Check the money ledger over every payment: what was captured is fulfilled, refunded "
        "or on its way back. Exits 1 listing each breach."
    )

    def handle(self, *args, **options):
        checked, breaches = payments_audit()
        for breach in breaches:
            payment = breach.payment
            self.stdout.write(
                f"{breach.kind}: payment {payment.pk} ({payment.provider} "
                f"{payment.provider_order_id or '-'}, {payment.status}): {breach.description}"
            )
        if breaches:
            unaccounted = len({breach.payment.pk for breach in breaches})
            raise CommandError(
                f"{unaccounted} of {checked} payments with captured money are unaccounted for."
            )
        self.stdout.write(
            f"Ledger holds: {checked} payments with captured money, all accounted for."
        )
