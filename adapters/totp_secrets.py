"""TOTP secrets sealed for the database with a key the database never holds.

The key is a file beside the signing keys (`TOTP_KEY_FILE`, made by `ops/keys ensure`), read by
the web process only. A copy of the database (a backup, a replica, a dump) holds sealed secrets
that open nothing without it. Replacing the key makes every stored secret unreadable: the
accounts that have two-step sign-in then sign in with a recovery code and enrol again."""

from __future__ import annotations

import logging
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.key_files import KEY_BYTES

_VERSION = b"\x01"
"""The first byte of a sealed secret: how it was sealed (AES-256-GCM, 96-bit nonce)."""
_NONCE_BYTES = 12


log = logging.getLogger("adapters.totp_secrets")


class AesGcmTotpSecrets:
    """sealed = version | nonce | AES-256-GCM(key, nonce, secret, associated data = user id).
    The user id as associated data binds a sealed secret to its row: copied onto another
    account's row, it no longer opens."""

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError("the TOTP key must be at least 32 bytes")
        self._aead = AESGCM(key[:KEY_BYTES])

    def seal(self, user_id: uuid.UUID, secret: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode("ascii"), _associated(user_id))
        return _VERSION + nonce + sealed

    def open(self, user_id: uuid.UUID, sealed: bytes) -> str | None:
        version, nonce, body = sealed[:1], sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            if version != _VERSION:
                raise InvalidTag
            return self._aead.decrypt(nonce, body, _associated(user_id)).decode("ascii")
        except InvalidTag:
            # Another key (replaced?), another user's row, or altered: an operator should know.
            log.error(
                "a TOTP secret does not open with TOTP_KEY_FILE", extra={"user_id": str(user_id)}
            )
            return None


def _associated(user_id: uuid.UUID) -> bytes:
    return b"totp:" + user_id.bytes
