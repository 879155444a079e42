"""What holds keep, read in the same statements that lock or list the things held. A hold
counts while `expires_at` is ahead of now: one that ran out simply stops counting."""

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.db import connections
from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Hold


def holds_active() -> QuerySet[Hold]:
    return Hold.objects.filter(expires_at__gt=timezone.now())


def holds_lapsed() -> QuerySet[Hold]:
    """Holds whose time ran out before their payment completed (kept a day, then pruned)."""
    return Hold.objects.filter(expires_at__lte=timezone.now())


def held_quantity(*, of: str, excluding: Q | None = None, **where) -> Coalesce:
    """The units (or places) active holds keep of what an outer query reads, as an
    expression to annotate it with: held_quantity(of="variant", variant=OuterRef("pk")),
    leaving out the holds `excluding` names (a cart's own)."""
    held = holds_active().filter(**where)
    if excluding is not None:
        held = held.exclude(excluding)
    held = held.order_by().values(of).annotate(total=Sum("quantity")).values("total")
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


def held_quantity_of_variant(field: str = "pk") -> Coalesce:
    return held_quantity(of="variant", variant=OuterRef(field))


def held_by_variant_read(variant_ids, *, excluding: Q | None = None) -> Callable[[], Counter]:
    """The read of the units active holds (but those `excluding` names) keep, by variant,
    built now and run when called: it runs once the variants are locked, and a popular
    variant's row is then locked only for the round trip, not for the ORM building the
    query (which, with a worker's threads sharing the GIL, can take far longer)."""
    rows = Hold.objects.filter(variant_id__in=variant_ids, expires_at__gt=timezone.now())
    if excluding is not None:
        rows = rows.exclude(excluding)
    totals = rows.order_by().values("variant_id").annotate(total=Sum("quantity"))
    query = totals.values_list("variant_id", "total").query
    sql, params = query.get_compiler(using=rows.db).as_sql()

    def read() -> Counter:
        with connections[rows.db].cursor() as cursor:
            cursor.execute(sql, params)
            return Counter(dict(cursor.fetchall()))

    return read


def free_again_at(*, need: int, excluding: Q | None = None, **what) -> datetime | None:
    """When active holds of `what` (variant=…, slot=…), but those `excluding` names, will
    have given back at least `need` units by running out: the answer to "try again after"."""
    holds = holds_active().filter(**what)
    if excluding is not None:
        holds = holds.exclude(excluding)
    released = 0
    for expires_at, quantity in holds.values_list("expires_at", "quantity"):
        released += quantity
        if released >= need:
            return expires_at
    return None
