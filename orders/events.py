"""Orders' outbound events: the order as its REST answer shows it, written in the
transaction of the change."""

from outbound.services import event_record

from .models import Order, OrderItem
from .serializers import OrderOutputSerializer


def order_event(order: Order, type: str, *, items: list[OrderItem] | None = None) -> None:
    """`items`: the order's items in hand (just made), so none is read again."""
    if items is not None:
        order._prefetched_objects_cache = {"items": items}
    event_record(type=type, data=OrderOutputSerializer(order).data)
