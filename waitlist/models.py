from django.conf import settings
from django.db import models
from django.db.models import Q

from config.personal_data import PersonalData, personal_data
from config.secret_tokens import manage_key_new


class EntryStatus(models.TextChoices):
    WAITING = "WAITING", "Waiting for a place"
    OFFERED = "OFFERED", "Offered: a freed place is held for it"
    BOOKED = "BOOKED", "Booked from its offer"
    EXPIRED = "EXPIRED", "Expired: its offer was not taken in time"
    LEFT = "LEFT", "Left the list"


STANDING = [EntryStatus.WAITING, EntryStatus.OFFERED]


class WaitlistEntry(models.Model):
    """One devotee waiting for a place in one full puja slot. An offer is a booking cart
    made for them with the freed place held on it until `offer_expires_at`."""

    slot = models.ForeignKey(
        "catalog.BookingSlot", on_delete=models.CASCADE, related_name="waitlist"
    )
    package = models.ForeignKey("catalog.PujaPackage", on_delete=models.PROTECT)
    # A user, or the guest made for a contact who joined without an account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    # Who this is, once per slot: "user:<id>", or a guest contact's email.
    person = models.CharField(max_length=254)
    # The entry's link key (config.secret_tokens): its token is this key, signed.
    key = models.CharField(max_length=32, unique=True, default=manage_key_new, editable=False)
    status = models.CharField(
        max_length=8, choices=EntryStatus.choices, default=EntryStatus.WAITING, db_index=True
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cart = models.OneToOneField(
        "cart.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="offer"
    )
    offer_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]  # the queue's order
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=Q(status__in=["WAITING", "OFFERED"]),
                name="waitlist_one_standing_entry_per_person_and_slot",
            ),
            models.CheckConstraint(
                condition=~Q(status="OFFERED")
                | Q(offer_expires_at__isnull=False, cart__isnull=False),
                name="waitlist_offer_has_its_cart_and_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"Waiting list entry {self.pk} ({self.status})"


personal_data(
    # A guest's entry is keyed by the contact's email.
    PersonalData(
        "waitlist.WaitlistEntry", person="user", fields=("person",), shown=("status", "created_at")
    ),
)
