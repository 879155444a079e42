"""Stock moves. Every move locks the variant rows it touches once, always in id order, so
two checkouts holding the same variants in different orders wait for each other instead of
deadlocking; the check is in Python under those locks, and one UPDATE writes them all. The
database check constraint (stock >= 0) backs it."""

from collections import Counter

from config.errors import ApiError

from .models import ProductVariant


def _locked(quantities: Counter) -> list[ProductVariant]:
    return list(ProductVariant.objects.select_for_update().filter(pk__in=quantities).order_by("pk"))


def stock_take(quantities: Counter) -> list[int]:
    """Take every quantity or nothing. Returns the ids of the variants that are short or
    gone (nothing changed then). Must run inside a transaction."""
    variants = _locked(quantities)
    found = {variant.pk for variant in variants}
    short = [pk for pk in quantities if pk not in found]
    short += [v.pk for v in variants if v.stock < quantities[v.pk]]
    if short:
        return short
    for variant in variants:
        variant.stock -= quantities[variant.pk]
    ProductVariant.objects.bulk_update(variants, ["stock"])
    return []


def stock_give_back(quantities: Counter) -> None:
    """Return stock taken earlier. Must run inside a transaction."""
    variants = _locked(quantities)
    for variant in variants:
        variant.stock += quantities[variant.pk]
    ProductVariant.objects.bulk_update(variants, ["stock"])


def stock_check_lines(lines: list[dict], stock: dict[int, int]) -> None:
    """Refuse, naming the item, when a product line asks for more than `stock` (each
    variant's stock as read with the cart) holds. Advisory: the locked take at reservation
    or fulfilment is what decides."""
    for line in lines:
        if line["type"] != "product":
            continue
        left = stock.get(line["variant_id"]) or 0
        if left < line["quantity"]:
            raise ApiError(
                f"{line['product_name']} ({line['variant_name']}) is out of stock: {left} left."
            )
