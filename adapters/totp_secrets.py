"""TOTP secrets sealed for the database with a key the database never holds.

The key is a file beside the signing keys (`TOTP_KEY_FILE`, made by `ops/keys ensure`), read by
the web process only. Replacing the key makes every stored secret unreadable: the accounts that
have two-step sign-in then sign in with a recovery code and enrol again."""

from __future__ import annotations

import logging

from adapters.sealed_secrets import AesGcmSealedSecrets

log = logging.getLogger("adapters.totp_secrets")


class AesGcmTotpSecrets(AesGcmSealedSecrets):
    """Sealed with the user id as associated data: copied onto another account's row, a sealed
    secret no longer opens."""

    def __init__(self, key: bytes) -> None:
        super().__init__(key, "totp", "user_id", log)
