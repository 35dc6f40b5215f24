"""The key that turns a mailed token's id into its secret, shared by the web and mail processes.

It lives in a file beside the signing keys (`ACTION_TOKEN_KEY_FILE`, made by `ops/keys ensure`),
never in the database, the outbox or Kafka: a copy of those holds token ids, and an id without
the key opens nothing. Replacing the key voids every link mailed before."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from adapters.key_files import KEY_BYTES


class HmacActionTokenSecrets:
    """secret = base64url(HMAC-SHA256(key, token id | address)): 256 bits no one can compute
    without the key, the same in every process that holds it, and useless for any address but
    the one the token was issued for (a forged event naming another recipient gets a secret
    whose hash is stored nowhere)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError("the action-token key must be at least 32 bytes")
        self._key = key

    def secret_for(self, token_id: uuid.UUID, email: str) -> str:
        message = token_id.bytes + email.encode("utf-8", "surrogatepass")
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
