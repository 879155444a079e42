"""What holds keep, read in the same statements that lock or list the things held. A hold
counts while `expires_at` is ahead of now: one that ran out simply stops counting."""

from datetime import datetime

from django.db import connections, router
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


# The holds a checkout may leave out of what others hold: its cart's, or its payment's.
_OWNER_FIELDS = {"cart": "cart", "cart_id": "cart", "payment": "payment", "payment_id": "payment"}


def held_by_variant_sql(variant_ids, *, excluding: Q | None = None) -> tuple[str, list]:
    """SQL (and its parameters) reading `variant_id, total`: the units active holds (but
    those `excluding` names: a Q of one owner, cart or payment, as holds.services builds
    them) keep of each of the variants. Written as SQL, not built by the ORM: it is read on
    every checkout's and fulfilment's locked path (holds.stock), and building it through
    the ORM cost more than running it; the hold_variant_sum index answers it."""
    connection = connections[router.db_for_read(Hold)]
    ids = list(variant_ids)
    now = Hold._meta.get_field("expires_at").get_db_prep_value(timezone.now(), connection)
    sql = (
        f"SELECT variant_id, SUM(quantity) AS total FROM {Hold._meta.db_table} "
        f"WHERE variant_id IN ({', '.join(['%s'] * len(ids))}) AND expires_at > %s"
    )
    params = [*ids, now]
    if excluding is not None:
        [(name, owner)] = excluding.children
        field = Hold._meta.get_field(_OWNER_FIELDS[name])
        sql += f" AND ({field.column} IS NULL OR {field.column} <> %s)"
        params.append(field.target_field.get_db_prep_value(getattr(owner, "pk", owner), connection))
    return f"{sql} GROUP BY variant_id", params


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
