from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from bookings.models import PujaPackage, PujaService
from cart.models import Coupon, CouponKind
from orders.models import Product, ProductVariant


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    first_name = "Asha"
    last_name = "Rao"
    phone = "9999999999"
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("100.00")


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    name = "Standard"
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    price = Decimal("100.00")
    stock = 10


class PujaServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PujaService

    name = factory.Sequence(lambda n: f"Puja {n}")


class PujaPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PujaPackage

    service = factory.SubFactory(PujaServiceFactory)
    name = "Basic"
    price = Decimal("999.00")
    duration_minutes = 60


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    code = factory.Sequence(lambda n: f"SAVE{n}")
    kind = CouponKind.PERCENT
    value = Decimal("10")


def future_slot(days: int = 7) -> dict:
    return {
        "selected_date": (timezone.localdate() + timedelta(days=days)),
        "selected_time": time(10, 0),
    }
