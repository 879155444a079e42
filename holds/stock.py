"""Stock moves. Every move locks the variant rows it touches once, always in id order, so
two checkouts holding the same variants in different orders wait for each other instead of
deadlocking; the check is in Python under those locks, and one UPDATE writes them all. The
database check constraint (stock >= 0) backs it.

What open checkouts hold (holds.Hold) is read right after the lock, in a statement of its
own: under READ COMMITTED a statement sees what was committed when it began, so a sum read
in the locking statement itself would miss holds committed by the transaction it waited
for. Units held by anyone are not available to anyone else; a checkout gives up its own
holds before it takes its stock, so it never competes with itself."""

from collections import Counter
from dataclasses import dataclass
from typing import NoReturn

from django.db import router
from django.db.models import Q

from cart.lines import Line, product_lines, product_name
from catalog.models import ProductVariant
from config.exceptions import HeldElsewhere, Invalid, Unfulfillable
from config.locking import lock_then_read

from .selectors import free_again_at, held_by_variant_sql


@dataclass(frozen=True)
class Shortage:
    """A variant that cannot give `wanted` units: gone, short, or held by others."""

    variant_id: int
    wanted: int
    stock: int = 0
    held: int = 0

    @property
    def held_is_why(self) -> bool:
        return self.stock >= self.wanted


@dataclass(frozen=True)
class LockedStock:
    """A variant locked for a stock move: its stock and what others hold of it, as read
    once the lock was ours."""

    pk: int
    stock: int
    held: int


def stock_locked(quantities: Counter, *, excluding: Q | None = None) -> list[LockedStock]:
    """The variants, locked in id order (NO KEY UPDATE: what a stock move needs, and it
    does not wait for the key-share locks that rows referring to a variant, holds and order
    items, take), each with its stock and `held`: the units active holds (but those
    `excluding` names) keep. Must run inside a transaction.

    The read travels with the lock in one round trip (config.locking)."""
    ids = sorted(quantities)
    table, marks = ProductVariant._meta.db_table, ", ".join(["%s"] * len(ids))
    held_sql, held_params = held_by_variant_sql(ids, excluding=excluding)
    read = (
        f"SELECT v.id, v.stock, COALESCE(h.total, 0) FROM {table} v "
        f"LEFT JOIN ({held_sql}) h ON h.variant_id = v.id WHERE v.id IN ({marks}) ORDER BY v.id"
    )
    lock = f"SELECT id FROM {table} WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE"
    rows = lock_then_read(
        router.db_for_write(ProductVariant), (lock, ids), (read, [*held_params, *ids])
    )
    return [LockedStock(*row) for row in rows]


def shortages(variants: list[LockedStock], quantities: Counter) -> list[Shortage]:
    found = {variant.pk for variant in variants}
    short = [Shortage(variant_id=pk, wanted=n) for pk, n in quantities.items() if pk not in found]
    short += [
        Shortage(variant_id=v.pk, wanted=quantities[v.pk], stock=v.stock, held=v.held)
        for v in variants
        if v.stock - v.held < quantities[v.pk]
    ]
    return short


def stock_take(quantities: Counter) -> list[Shortage]:
    """Take every quantity or nothing. Returns what is short (nothing changed then). Must
    run inside a transaction."""
    variants = stock_locked(quantities)
    if short := shortages(variants, quantities):
        return short
    taken = [ProductVariant(pk=v.pk, stock=v.stock - quantities[v.pk]) for v in variants]
    ProductVariant.objects.bulk_update(taken, ["stock"])
    return []


def stock_give_back(quantities: Counter) -> None:
    """Return stock taken earlier. Must run inside a transaction."""
    variants = list(
        ProductVariant.objects.select_for_update(no_key=True)
        .filter(pk__in=quantities)
        .order_by("pk")
    )
    for variant in variants:
        variant.stock += quantities[variant.pk]
    ProductVariant.objects.bulk_update(variants, ["stock"])


def refuse_shortage(shortage: Shortage, name: str, *, excluding: Q | None = None) -> NoReturn:
    """HeldElsewhere (with when to try again) when other checkouts hold what the stock
    has; Unfulfillable when the stock itself is short or the variant gone. `excluding`
    names holds that are not others' (a cart's own)."""
    if shortage.held_is_why:
        need = shortage.wanted - (shortage.stock - shortage.held)
        raise HeldElsewhere(
            f"{name} is held by another shopper's checkout; try again shortly.",
            held_until=free_again_at(
                variant_id=shortage.variant_id, need=need, excluding=excluding
            ),
        )
    raise Unfulfillable(f"{name} is out of stock or no longer sold.")


def stock_check_lines(
    lines: list[Line],
    stock: dict[int, int],
    *,
    held_by_others: dict[int, int] | None = None,
    own_holds: Q | None = None,
) -> None:
    """Refuse, naming the item, when a product line asks for more than `stock` (each
    variant's stock as read with the cart) has (400), or, given `held_by_others`, than is
    left once other checkouts' holds are counted (409 with when to try again). Advisory,
    and cheap (no lock, nothing written): the locked hold, take or reservation decides."""
    for line in product_lines(lines):
        variant_id, wanted = line["variant_id"], line["quantity"]
        left = stock.get(variant_id) or 0
        name = product_name(line)
        if left < wanted:
            raise Invalid(f"{name} is out of stock: {left} left.")
        held = (held_by_others or {}).get(variant_id, 0)
        if left - held < wanted:
            shortage = Shortage(variant_id, wanted, stock=left, held=held)
            refuse_shortage(shortage, name, excluding=own_holds)
