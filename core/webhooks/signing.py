"""Webhook signatures, as the Standard Webhooks specification (standardwebhooks.com) has them:
HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" under the endpoint's secret, sent as
`webhook-signature: v1,<base64>`. Receivers verify with any of that specification's libraries,
or with the few lines in the README."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """`whsec_` and 32 random bytes in base64: shown once, to whoever registers the endpoint."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt: the same `webhook-id` on every attempt (the receiver's key
    to handle an event once), the attempt's own time, and the signature over both and the body."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
