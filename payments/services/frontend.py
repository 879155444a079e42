"""The frontends a shopper's browser may be sent back to: only the configured origins
(FRONTEND_BASE_URL's and CORS_ALLOWED_ORIGINS) are ever a target, so a return can never
become an open redirect."""

from urllib.parse import urlsplit

from django.conf import settings


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def frontend_origins() -> set[str]:
    return {origin_of(settings.FRONTEND_BASE_URL)} | {
        origin.rstrip("/").lower() for origin in settings.CORS_ALLOWED_ORIGINS
    }


def allowed_return_url(url: str | None) -> str:
    """The url when a frontend of ours may receive the browser; "" otherwise (ignored)."""
    if not url or len(url) > 500 or urlsplit(url).scheme not in {"http", "https"}:
        return ""
    return url if origin_of(url) in frontend_origins() else ""
