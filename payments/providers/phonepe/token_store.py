"""Provider OAuth tokens in the database, so every server process shares one token."""

from datetime import UTC, datetime

from django.db import IntegrityError, transaction

from .adapter import AccessToken
from .models import ProviderToken


class DatabaseTokenStore:
    def load(self, key: str) -> AccessToken | None:
        row = ProviderToken.objects.filter(key=key).first()
        if row is None:
            return None
        return AccessToken(value=row.access_token, expires_at=row.expires_at.timestamp())

    def save(self, key: str, token: AccessToken) -> None:
        fields = {
            "access_token": token.value,
            "expires_at": datetime.fromtimestamp(token.expires_at, tz=UTC),
        }
        if ProviderToken.objects.filter(key=key).update(**fields):
            return
        try:
            with transaction.atomic():
                ProviderToken.objects.create(key=key, **fields)
        except IntegrityError:  # another process stored its token first; keep the newest
            ProviderToken.objects.filter(key=key).update(**fields)
