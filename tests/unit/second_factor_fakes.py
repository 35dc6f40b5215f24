"""In-memory fakes of the ports of second factors, for unit tests of the handlers."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from core.domain import MfaChallenge, TotpCredential


class InMemorySecondFactors:
    """TOTP credentials by user, and recovery-code hashes by user, with the real
    compare-and-set semantics."""

    def __init__(
        self, totp: dict[uuid.UUID, TotpCredential], codes: dict[uuid.UUID, set[str]]
    ) -> None:
        self.totp = totp
        self.codes = codes

    async def get_totp(self, user_id: uuid.UUID) -> TotpCredential | None:
        return self.totp.get(user_id)

    async def put_pending_totp(self, credential: TotpCredential) -> bool:
        current = self.totp.get(credential.user_id)
        if current is not None and current.enabled:
            return False
        self.totp[credential.user_id] = credential
        return True

    async def confirm_totp(self, credential: TotpCredential, step: int, now: datetime) -> bool:
        current = self.totp.get(credential.user_id)
        if current is None or current.enabled or current.sealed_secret != credential.sealed_secret:
            return False
        self.totp[credential.user_id] = replace(current, confirmed_at=now, last_step=step)
        return True

    async def accept_totp_step(self, user_id: uuid.UUID, step: int) -> bool:
        current = self.totp.get(user_id)
        if current is None or not current.enabled:
            return False
        if current.last_step is not None and current.last_step >= step:
            return False
        self.totp[user_id] = replace(current, last_step=step)
        return True

    async def delete_totp(self, user_id: uuid.UUID) -> None:
        self.totp.pop(user_id, None)
        self.codes.pop(user_id, None)

    async def replace_recovery_codes(
        self, user_id: uuid.UUID, code_hashes: list[str], now: datetime
    ) -> None:
        self.codes[user_id] = set(code_hashes)

    async def has_recovery_code(self, user_id: uuid.UUID, code_hash: str) -> bool:
        return code_hash in self.codes.get(user_id, set())

    async def use_recovery_code(self, user_id: uuid.UUID, code_hash: str) -> bool:
        codes = self.codes.get(user_id, set())
        if code_hash not in codes:
            return False
        self.codes[user_id] = codes - {code_hash}
        return True

    async def recovery_codes_left(self, user_id: uuid.UUID) -> int:
        return len(self.codes.get(user_id, set()))


class InMemoryMfaChallenges:
    def __init__(self, rows: dict[str, MfaChallenge]) -> None:
        self.rows = rows

    async def add(self, challenge: MfaChallenge) -> None:
        self.rows[challenge.token_hash] = challenge

    async def get(self, token_hash: str) -> MfaChallenge | None:
        return self.rows.get(token_hash)

    async def use(self, token_hash: str, now: datetime) -> MfaChallenge | None:
        challenge = self.rows.get(token_hash)
        if challenge is None or not challenge.live(now):
            return None
        self.rows[token_hash] = used = replace(challenge, used_at=now)
        return used


class ReversibleTotpSecrets:
    """Seals a secret by prefixing the user id (so that one copied to another user opens not)."""

    def seal(self, user_id: uuid.UUID, secret: str) -> bytes:
        return f"sealed:{user_id}:{secret}".encode()

    def open(self, user_id: uuid.UUID, sealed: bytes) -> str | None:
        prefix = f"sealed:{user_id}:".encode()
        if not sealed.startswith(prefix):
            return None
        return sealed.removeprefix(prefix).decode()
