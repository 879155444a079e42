"""Stock moves. The guarded UPDATE is the rule: it never takes stock below zero, even
when many checkouts race, and the database check constraint backs it."""

from django.db.models import F

from .models import ProductVariant


def stock_take(*, variant_id: int, quantity: int) -> bool:
    """Take `quantity` units; False (and nothing changed) when fewer are left."""
    taken = ProductVariant.objects.filter(pk=variant_id, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    return taken == 1


def stock_give_back(*, variant_id: int, quantity: int) -> None:
    ProductVariant.objects.filter(pk=variant_id).update(stock=F("stock") + quantity)
