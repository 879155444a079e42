"""Stock moves. The guarded UPDATE is the rule: it never takes stock below zero, even
when many checkouts race, and the database check constraint backs it."""

from django.db.models import F

from config.errors import ApiError

from .models import ProductVariant


def stock_take(*, variant_id: int, quantity: int) -> bool:
    """Take `quantity` units; False (and nothing changed) when fewer are left."""
    taken = ProductVariant.objects.filter(pk=variant_id, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    return taken == 1


def stock_give_back(*, variant_id: int, quantity: int) -> None:
    ProductVariant.objects.filter(pk=variant_id).update(stock=F("stock") + quantity)


def stock_check_lines(lines: list[dict]) -> None:
    """Refuse, naming the item, when a product line asks for more than is in stock now.
    (Advisory: the guarded take at reservation or fulfilment is what decides.)"""
    for line in lines:
        if line["type"] != "product":
            continue
        stock = (
            ProductVariant.objects.filter(pk=line["variant_id"])
            .values_list("stock", flat=True)
            .first()
        )
        if stock is None or stock < line["quantity"]:
            raise ApiError(
                f"{line['product_name']} ({line['variant_name']}) is out of stock: {stock or 0} left."
            )
