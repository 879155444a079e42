from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = "Waiting lists of full puja slots"

    def ready(self):
        from accounts.authentication import guest_header_register
        from holds.signals import slot_freed
        from outbound.registry import event_types_register

        from . import tasks  # noqa: F401  (enqueued by name)
        from .events import EVENT_TYPES
        from .selectors import guest_by_waitlist_token
        from .services import offer_soon

        event_types_register(*EVENT_TYPES)
        slot_freed.connect(offer_soon, dispatch_uid="waitlist.offer_soon")
        # A guest who joined with a contact books their offer sending X-Waitlist-Token.
        guest_header_register("X-Waitlist-Token", guest_by_waitlist_token)
