"""Where a shopper's browser goes after paying at a provider. Only the configured frontend
origins (FRONTEND_BASE_URL's and CORS_ALLOWED_ORIGINS) are ever a target, so the return
can never become an open redirect."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings

from ..models import Payment, PaymentStatus


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def frontend_origins() -> set[str]:
    return {_origin(settings.FRONTEND_BASE_URL)} | {
        origin.rstrip("/").lower() for origin in settings.CORS_ALLOWED_ORIGINS
    }


def allowed_return_url(url: str | None) -> str:
    """The url when a frontend of ours may receive the browser; "" otherwise (ignored)."""
    if not url or len(url) > 500 or urlsplit(url).scheme not in {"http", "https"}:
        return ""
    return url if _origin(url) in frontend_origins() else ""


def payment_return_target(payment: Payment | None, merchant_order_id: str, *, check: bool) -> str:
    """Confirm while the payment succeeded or may still; with `check` off (the simple
    return) always confirm, and let the frontend poll the status."""
    failed = (
        payment is None
        or payment.needs_attention
        or payment.status
        not in (
            PaymentStatus.SUCCESS,
            PaymentStatus.INITIATED,
            PaymentStatus.PENDING,
        )
    )
    query = {"redirect_source": "phonepe"}
    if merchant_order_id:
        query["merchant_order_id"] = merchant_order_id
    chosen = payment.return_url if payment is not None else ""
    if check and failed:
        base = (
            f"{_origin(chosen)}/failedbooking"
            if chosen
            else f"{settings.FRONTEND_BASE_URL}/failedbooking"
        )
    else:
        base = chosen or f"{settings.FRONTEND_BASE_URL}/confirmbooking"
    separator = "&" if urlsplit(base).query else "?"
    return f"{base}{separator}{urlencode(query)}"
