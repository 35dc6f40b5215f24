"""Secrets sealed for the database with a key the database never holds (a key file beside the
signing keys, made by `ops/keys ensure`): TOTP secrets, webhook endpoints' signing secrets. A
copy of the database (a backup, a replica, a dump) holds sealed secrets that open nothing
without the key."""

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


class AesGcmSealedSecrets:
    """sealed = version | nonce | AES-256-GCM(key, nonce, secret, associated data = `label` and
    the owner's id). The owner's id as associated data binds a sealed secret to its row:
    copied onto another row, it no longer opens."""

    def __init__(self, key: bytes, label: str, owner: str, log: logging.Logger) -> None:
        """`label`: what is sealed ("totp"), in the associated data and the log; `owner`: the
        name of the owner's id in the log ("user_id")."""
        if len(key) < KEY_BYTES:
            raise ValueError(f"the {label} key must be at least 32 bytes")
        self._aead = AESGCM(key[:KEY_BYTES])
        self._label = label.encode() + b":"
        self._what = label
        self._owner = owner
        self._log = log

    def seal(self, owner_id: uuid.UUID, secret: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode("ascii"), self._label + owner_id.bytes)
        return _VERSION + nonce + sealed

    def open(self, owner_id: uuid.UUID, sealed: bytes) -> str | None:
        version, nonce, body = sealed[:1], sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            if version != _VERSION:
                raise InvalidTag
            associated = self._label + owner_id.bytes
            return self._aead.decrypt(nonce, body, associated).decode("ascii")
        except InvalidTag:
            # Another key (replaced?), another row, or altered: an operator should know.
            self._log.error(
                f"a {self._what.upper()} secret does not open with {self._what.upper()}_KEY_FILE",
                extra={self._owner: str(owner_id)},
            )
            return None
