"""Standard Webhooks signatures (standardwebhooks.com), made with its reference library:
`webhook-signature` is `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed with
the base64-decoded part of the secret after `whsec_`; during a rotation one signature per
secret, space-separated, so receivers holding either verify."""

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(*, message_id: str, when: datetime, body: bytes, keys: list[str]) -> dict:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": " ".join(
            Webhook(key).sign(msg_id=message_id, timestamp=when, data=body) for key in keys
        ),
    }
