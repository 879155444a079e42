from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class InvoicesConfig(AppConfig):
    name = "invoices"

    def ready(self):
        """A shop that issues tax documents must name itself rightly: refuse to start with a
        GSTIN whose check character is wrong, or with no name, address or known state."""
        from config.emails import attachment_register
        from config.gstin import gstin_valid
        from outbound.registry import event_types_register

        from .attachments import booking_document, order_document
        from .events import EVENT_TYPES
        from .states import gst_state_code

        attachment_register("order", order_document)
        attachment_register("booking", booking_document)
        event_types_register(*EVENT_TYPES)
        gstin = settings.GST_SELLER_GSTIN
        if not gstin:
            return
        if not gstin_valid(gstin):
            raise ImproperlyConfigured("GST_SELLER_GSTIN is not a valid GSTIN (check character).")
        if not (settings.GST_SELLER_NAME.strip() and settings.GST_SELLER_ADDRESS.strip()):
            raise ImproperlyConfigured("GST_SELLER_NAME and GST_SELLER_ADDRESS are required.")
        if gst_state_code(settings.GST_SELLER_STATE) is None:
            raise ImproperlyConfigured("GST_SELLER_STATE is not an Indian state we know.")
