"""The key that turns a mailed token's id into its secret, shared by the web and mail processes.

It lives in a file beside the signing keys (`ACTION_TOKEN_KEY_FILE`, made by `ops/keys ensure`),
never in the database, the outbox or Kafka: a copy of those holds token ids, and an id without
the key opens nothing. Replacing the key voids every link mailed before."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import uuid
from pathlib import Path

KEY_BYTES = 32


class MissingActionTokenKey(RuntimeError):
    pass


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


def load_action_token_key(path: Path) -> bytes:
    try:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
    except FileNotFoundError as error:
        raise MissingActionTokenKey(
            f"no action-token key at {path}: create one with `ops/keys ensure`"
        ) from error
    return key


def ensure_action_token_key(path: Path) -> bool:
    """Create the key file (mode 0600) unless it exists; True when created."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n")
    return True
