from django.db import models
from django.db.models import Q


class Hold(models.Model):
    """What one open payment-first checkout keeps from everyone else until it ends or its
    time runs out: some units of one variant, or one place in one booking slot. It belongs
    to its cart (a new payment of the cart takes it over) or, with no cart (a payment
    link), to its payment. A waiting list's offer holds a freed place on the offer's cart,
    with no payment yet (the cart's first checkout takes it over). Past `expires_at` it no
    longer counts: no job is needed for that; beat only prunes the rows later."""

    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.CASCADE, null=True, blank=True, related_name="holds"
    )
    cart = models.ForeignKey(
        "cart.Cart", on_delete=models.CASCADE, null=True, blank=True, related_name="holds"
    )
    # Indexed with expires_at below (what the reads look up), not on their own.
    variant = models.ForeignKey(
        "catalog.ProductVariant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holds",
        db_index=False,
    )
    slot = models.ForeignKey(
        "catalog.BookingSlot",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holds",
        db_index=False,
    )
    quantity = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="hold_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(variant__isnull=False, slot__isnull=True)
                | Q(variant__isnull=True, slot__isnull=False),
                name="hold_is_of_stock_or_a_slot",
            ),
            models.CheckConstraint(
                condition=Q(payment__isnull=False) | Q(cart__isnull=False),
                name="hold_has_a_payment_or_a_cart",
            ),
        ]
        # Every read sums the active holds of some variants or slots, but a cart's own:
        # with quantity and cart in the index too, PostgreSQL answers it from the index
        # alone (once vacuumed) instead of visiting each hold's row or scanning the table.
        indexes = [
            models.Index(
                fields=["variant", "expires_at", "cart", "quantity"], name="hold_variant_sum"
            ),
            models.Index(fields=["slot", "expires_at", "cart", "quantity"], name="hold_slot_sum"),
        ]

    def __str__(self) -> str:
        what = (
            f"{self.quantity} × variant {self.variant_id}"
            if self.variant_id
            else f"slot {self.slot_id}"
        )
        return f"{what} until {self.expires_at:%H:%M}"

    @property
    def owner(self):
        """Whose checkout (or offer) this is."""
        return self.payment.user if self.payment_id else self.cart.user
