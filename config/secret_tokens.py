"""Secrets handed to a client as its proof (a guest's cart token, a manage link): 256
random bits, URL-safe, and only their SHA-256 is stored, so a copy of the database opens
nothing."""

import hashlib
import secrets

from django.conf import settings
from django.core import signing


def secret_token_new() -> tuple[str, str]:
    """A new token and the digest to store for it."""
    token = secrets.token_urlsafe(32)
    return token, secret_token_digest(token)


def secret_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# A manage link (and a waiting-list entry's): the row's random key signed with SECRET_KEY (old links still open after
# a rotation, through SECRET_KEY_FALLBACKS). The link is made again whenever it is mailed,
# so no copy of it is kept; a copy of the database alone cannot make one.
MANAGE_SALT = "paycart.manage-link"


def manage_key_new() -> str:
    return secrets.token_hex(16)  # 128 bits


WAITLIST_SALT = "paycart.waitlist-entry"


def manage_token(key: str, *, salt: str = MANAGE_SALT) -> str:
    return signing.Signer(salt=salt, sep=".").sign(key)


def manage_key_of(token: str, *, salt: str = MANAGE_SALT) -> str | None:
    """The key a token signs, or None for a forged, altered or malformed one."""
    try:
        return signing.Signer(salt=salt, sep=".").unsign(token)
    except signing.BadSignature:
        return None


def manage_key_given(row) -> str:
    """The order's or booking's manage key; a row an older release wrote (a rolling deploy)
    has none yet, and gets one now."""
    if not row.manage_key:
        type(row).objects.filter(pk=row.pk, manage_key__isnull=True).update(
            manage_key=manage_key_new()
        )
        row.refresh_from_db(fields=["manage_key"])
    return row.manage_key


def manage_url(row) -> str:
    return f"{settings.FRONTEND_BASE_URL}/manage/{manage_token(manage_key_given(row))}"


def waitlist_token(key: str) -> str:
    return manage_token(key, salt=WAITLIST_SALT)


def waitlist_url(key: str) -> str:
    return f"{settings.FRONTEND_BASE_URL}/waitlist/{waitlist_token(key)}"
