from django.db.models import Prefetch

from catalog.models import Product, ProductVariant
from holds.selectors import held_quantity_of_variant

from .models import Order, OrderStatus


def products_active():
    """Active products with their variants, each with `held`: what open checkouts hold."""
    variants = ProductVariant.objects.annotate(held=held_quantity_of_variant()).order_by("pk")
    return Product.objects.filter(is_active=True).prefetch_related(Prefetch("variants", variants))


def orders_for_user(*, user):
    return (
        Order.objects.filter(user=user)
        .exclude(status=OrderStatus.DRAFT)
        .with_dispute_status()
        .prefetch_related("items")
    )
