from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings.models import PujaPackage, PujaService
from cart.models import Coupon, CouponKind
from orders.models import Product, ProductVariant

DEMO_USERS = {
    "demo@example.com": {"password": "demo-pass-123", "first_name": "Demo", "last_name": "Shopper"},
    "admin@example.com": {"password": "admin-pass-123", "first_name": "Shop", "last_name": "Admin"},
}

PRODUCTS = [
    ("Brass Diya", "Hand-made brass oil lamp.", [("Small", "DIYA-S", "249.00", 50), ("Large", "DIYA-L", "499.00", 20)]),
    ("Sandalwood Incense", "Box of 100 sticks.", [("Box", "INC-100", "199.00", 100)]),
    ("Rudraksha Mala", "108 beads.", [("5 mukhi", "MALA-5", "899.00", 10), ("7 mukhi", "MALA-7", "1999.00", 3)]),
]  # fmt: skip

SERVICES = [
    ("Ganesh Puja", "For new beginnings.", [("Basic", "999.00", 60), ("Premium", "2499.00", 120)]),
    ("Satyanarayan Puja", "For prosperity.", [("Standard", "1499.00", 90), ("Grand", "3189.93", 180)]),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load demo products, puja services, coupon DISCOUNT10 and two demo users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even if the database has non-demo users."
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        User = get_user_model()
        if not force and User.objects.exclude(email__in=DEMO_USERS).exists():
            raise CommandError("This database has non-demo users; refusing without --force.")

        for email, fields in DEMO_USERS.items():
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": fields["first_name"],
                    "last_name": fields["last_name"],
                    "is_staff": email.startswith("admin"),
                    "is_superuser": email.startswith("admin"),
                },
            )
            if created:
                user.set_password(fields["password"])
                user.save()

        for name, description, variants in PRODUCTS:
            product, _ = Product.objects.get_or_create(
                name=name, defaults={"description": description, "price": Decimal(variants[0][2])}
            )
            for variant_name, sku, price, stock in variants:
                ProductVariant.objects.get_or_create(
                    sku=sku,
                    defaults={
                        "product": product,
                        "name": variant_name,
                        "price": price,
                        "stock": stock,
                    },
                )

        for name, description, packages in SERVICES:
            service, _ = PujaService.objects.get_or_create(
                name=name, defaults={"description": description}
            )
            for package_name, price, minutes in packages:
                PujaPackage.objects.get_or_create(
                    service=service,
                    name=package_name,
                    defaults={"price": price, "duration_minutes": minutes},
                )

        Coupon.objects.get_or_create(
            code="DISCOUNT10", defaults={"kind": CouponKind.PERCENT, "value": Decimal("10")}
        )
        self.stdout.write(self.style.SUCCESS("Demo data ready: demo@example.com / demo-pass-123"))
