from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from cart.models import Coupon, CouponKind
from catalog.models import Product, ProductVariant, PujaPackage, PujaService
from outbound.models import Endpoint
from outbound.signing import secret_new

DEMO_USERS = {
    "demo@example.com": {"password": "demo-pass-123", "first_name": "Demo", "last_name": "Shopper"},
    "admin@example.com": {"password": "admin-pass-123", "first_name": "Shop", "last_name": "Admin"},
}

PRODUCTS = [
    ("Brass Diya", "Hand-made brass oil lamp.", [("Small", "DIYA-S", "249.00", 50), ("Large", "DIYA-L", "499.00", 20)]),
    ("Sandalwood Incense", "Box of 100 sticks.", [("Box", "INC-100", "199.00", 100)]),
    ("Rudraksha Mala", "108 beads.", [("5 mukhi", "MALA-5", "899.00", 10), ("7 mukhi", "MALA-7", "1999.00", 3)]),
]  # fmt: skip
# A demo shop's tax facts: HSN code and GST rate per product (the demo GSTIN is a setting).
PRODUCT_TAX = {
    "Brass Diya": ("7418", "12.00"),
    "Sandalwood Incense": ("3307", "5.00"),
    "Rudraksha Mala": ("7117", "3.00"),
}

SERVICES = [
    ("Ganesh Puja", "For new beginnings.", [("Basic", "999.00", 60), ("Premium", "2499.00", 120)]),
    ("Satyanarayan Puja", "For prosperity.", [("Standard", "1499.00", 90), ("Grand", "3189.93", 180)]),
]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Load demo products, puja services, coupon DISCOUNT10 and (with DEBUG on, or when "
        "told) two demo users. Idempotent: adds only what is missing, changes nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-staff",
            action="store_true",
            help="Create the demo accounts (with their published passwords) even with DEBUG off.",
        )

    @transaction.atomic
    def handle(self, *args, allow_demo_staff: bool = False, **options):
        # Accounts whose passwords are in the README are a back door in production.
        if settings.DEBUG or allow_demo_staff:
            self._demo_users()
        else:
            self.stdout.write("DEBUG is off: demo accounts not created (--allow-demo-staff).")
        self._catalog()
        if settings.PAYMENTS_SANDBOX:
            self._event_receiver()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _event_receiver(self) -> None:
        """The sandbox's receiver hears every event (a local http URL: demo data, made
        directly rather than through endpoint_create's https and address checks)."""
        url = f"{settings.SANDBOX_ORIGIN}/sandbox/receiver/"
        if not Endpoint.objects.filter(url=url).exists():
            Endpoint.objects.create(
                url=url, secret=secret_new(), description="The sandbox's event receiver (demo)"
            )

    def _demo_users(self) -> None:
        User = get_user_model()
        for email, fields in DEMO_USERS.items():
            if User.objects.filter(email__iexact=email).exists():
                continue  # never touch an existing account, whoever made it
            create = (
                User.objects.create_superuser
                if email.startswith("admin")
                else User.objects.create_user
            )
            create(
                email,
                fields["password"],
                first_name=fields["first_name"],
                last_name=fields["last_name"],
            )

    def _catalog(self) -> None:
        for name, description, variants in PRODUCTS:
            hsn_code, gst_rate = PRODUCT_TAX[name]
            product, _ = Product.objects.get_or_create(
                name=name,
                defaults={
                    "description": description,
                    "price": Decimal(variants[0][2]),
                    "hsn_code": hsn_code,
                    "gst_rate": Decimal(gst_rate),
                },
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
