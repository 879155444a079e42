from django.core.management.base import BaseCommand

from payments.services.order_first import reservations_release_expired


class Command(BaseCommand):
    help = "Cancel pending_payment orders older than the reservation TTL and release their stock."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ttl",
            type=int,
            default=None,
            metavar="SECONDS",
            help="Default: ORDER_RESERVATION_TTL_SECONDS.",
        )

    def handle(self, *args, ttl: int | None, **options):
        outcome = reservations_release_expired(ttl_seconds=ttl)
        self.stdout.write(
            f"Released {outcome['released']} reservation(s), discarded {outcome['discarded']} "
            f"abandoned draft(s); deferred {outcome['deferred']}; {outcome['errors']} failed."
        )
