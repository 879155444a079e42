from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ManageLookupThrottle(SimpleRateThrottle):
    """Manage-link lookups per client address (REMOTE_ADDR, set from a trusted proxy's word
    only): a guard against guessing, like sign-in attempts, so it holds whatever
    API_THROTTLING says."""

    scope = "manage_lookup"

    def get_rate(self) -> str:
        return f"{settings.MANAGE_LOOKUPS_PER_MINUTE}/min"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
