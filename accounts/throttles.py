"""Brute-force limits on the endpoints that take a password or a refresh token. The client
IP is REMOTE_ADDR, which only a proxy in TRUSTED_PROXY_IPS may have set from its
X-Forwarded-For (config/proxies.py), so a client cannot reset its count with a forged header.
Counts live in the default cache: with REDIS_URL, one count across every process."""

import hashlib

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    rate_setting = ""

    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    def allow_request(self, request, view) -> bool:
        return not settings.API_THROTTLING or super().allow_request(request, view)


class _PerIpThrottle(_SettingsRateThrottle):
    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PerEmailThrottle(_SettingsRateThrottle):
    """Counts requests naming one email whatever address they come from."""

    def get_cache_key(self, request, view) -> str | None:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class TokenLookupThrottle(_PerIpThrottle):
    """Lookups by a link's token (a manage link, a waiting-list entry) per client address:
    a guard against guessing, so it holds whatever API_THROTTLING says."""

    scope = "token_lookup"

    def get_rate(self) -> str:
        return f"{settings.MANAGE_LOOKUPS_PER_MINUTE}/min"

    def allow_request(self, request, view) -> bool:
        return SimpleRateThrottle.allow_request(self, request, view)


class LoginIpThrottle(_PerIpThrottle):
    scope = "login_ip"
    rate_setting = "LOGIN_RATE_PER_IP"


class LoginAccountThrottle(_PerEmailThrottle):
    scope = "login_account"
    rate_setting = "LOGIN_RATE_PER_ACCOUNT"


class PasswordResetIpThrottle(_PerIpThrottle):
    scope = "password_reset_ip"
    rate_setting = "PASSWORD_RESET_RATE_PER_IP"


class PasswordResetEmailThrottle(_PerEmailThrottle):
    scope = "password_reset_email"
    rate_setting = "PASSWORD_RESET_RATE_PER_EMAIL"
