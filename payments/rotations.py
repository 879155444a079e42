"""Secret rotations left open. While a previous webhook secret (or a SECRET_KEY fallback)
stays set, whoever still holds it can sign deliveries we accept; a rotation is finished by
unsetting it. The payment-health page and `paycart_secret_rotation_open` name each one
still set, and since when a delivery first verified with it."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from .models import SecretRotation


@dataclass(frozen=True)
class OpenRotation:
    secret: str  # the setting (or settings) still set
    first_verified_at: datetime | None  # None: nothing has verified with it yet

    @property
    def open_seconds(self) -> int:
        if self.first_verified_at is None:
            return 0
        return int((timezone.now() - self.first_verified_at).total_seconds())


def _key(provider_name: str) -> dict:
    names = settings.PROVIDER_PREVIOUS_SECRETS.get(provider_name, [])
    values = "\0".join(getattr(settings, name) for name in names)
    # A digest of the value, never the value: the row tells one rotation from the next.
    return {
        "secret": ", ".join(names),
        "fingerprint": hashlib.sha256(values.encode()).hexdigest()[:16],
    }


def rotation_used(*, provider_name: str) -> None:
    """A delivery verified with `provider_name`'s previous secret (once per rotation)."""
    SecretRotation.objects.get_or_create(
        **_key(provider_name), defaults={"first_verified_at": timezone.now()}
    )


def rotations_open() -> list[OpenRotation]:
    found = []
    for provider_name in settings.PAYMENT_PROVIDERS:
        names = settings.PROVIDER_PREVIOUS_SECRETS.get(provider_name, [])
        if any(getattr(settings, name) for name in names):
            key = _key(provider_name)
            first = (
                SecretRotation.objects.filter(**key)
                .values_list("first_verified_at", flat=True)
                .first()
            )
            found.append(OpenRotation(secret=key["secret"], first_verified_at=first))
    if settings.SECRET_KEY_FALLBACKS:  # signs sessions and reset links, not deliveries
        found.append(OpenRotation(secret="SECRET_KEY_FALLBACKS", first_verified_at=None))
    return found
