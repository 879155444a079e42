from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import User
from config.exceptions import Conflict
from privacy.services import erasure_request, erasure_run


class Command(BaseCommand):
    help = (
        "Erase a person's data on a request that came by mail: the account with this email "
        "and every guest checkout made with it. Exit 1 naming what is still open."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--staff", default="", help="who asked (kept on the erasure)")

    def handle(self, *args, email, staff, **options):
        email = email.strip().lower()
        people = User.objects.filter(
            Q(is_guest=False, email__iexact=email) | Q(is_guest=True, contact_email=email),
            is_active=True,
        )
        if not people.exists():
            raise CommandError("Nobody with that email.")
        for user in people:
            try:
                asked_by = f"by mail, staff {staff}".strip()
                erasure = erasure_request(user=user, asked_by=asked_by, job=False)
            except Conflict as refused:
                raise CommandError(f"{refused}: {'; '.join(refused.extra['open'])}") from None
            erasure = erasure_run(erasure_id=str(erasure.pk))
            self.stdout.write(f"erasure {erasure.pk}: done")
            for kept in erasure.kept:
                self.stdout.write(f"  kept {kept['what']}: {kept['why']}")
