"""A place in a booking slot may be free again (a booking cancelled or moved away, a
checkout's hold given up): whoever offers freed places (the waiting list) listens."""

from django.dispatch import Signal

# Sent inside the transaction that frees it; receivers act on commit.
slot_freed = Signal()
