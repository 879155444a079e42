"""`manage.py audit_settlements`: every settlement line flagged, every payment unsettled in
time, every settlement whose lines do not add up; exits 1 where any stands."""

from django.core.management.base import BaseCommand, CommandError

from settlements.selectors import lines_flagged, payments_unsettled, settlements_unbalanced


class Command(BaseCommand):
    help = "List what stands flagged in settlements; exit 1 where anything does."

    def handle(self, *args, **options):
        found = 0
        for line in lines_flagged().order_by("pk"):
            self.stdout.write(
                f"{line.flag}: {line.provider} {line.kind} {line.provider_entity_id} "
                f"{line.amount} (settlement {line.provider_settlement_id or '-'})"
            )
            found += 1
        for payment in payments_unsettled().order_by("completed_at"):
            self.stdout.write(
                f"unsettled: {payment.provider} payment {payment.provider_payment_id} "
                f"{payment.captured_amount}, captured {payment.completed_at:%Y-%m-%d}"
            )
            found += 1
        for settlement in settlements_unbalanced():
            self.stdout.write(
                f"unbalanced: {settlement.provider} {settlement.provider_settlement_id} paid "
                f"{settlement.amount}, its lines add up to {settlement.net}"
            )
            found += 1
        if found:
            raise CommandError(f"{found} settlement findings stand.")
        self.stdout.write("Settlements hold: every line matched, every payment settled.")
