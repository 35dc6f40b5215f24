"""Ports of two-step sign-in's storage: each user's TOTP credential and recovery codes, and the
password steps of sign-ins waiting for their second factor."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from core.domain import MfaChallenge, TotpCredential


class SecondFactorRepository(Protocol):
    """Each user's TOTP credential (at most one: pending or confirmed) and recovery codes (by
    hash). They go with their user."""

    async def get_totp(self, user_id: uuid.UUID) -> TotpCredential | None: ...

    async def put_pending_totp(self, credential: TotpCredential) -> bool:
        """Store a pending credential, replacing a pending one; False (nothing stored) when the
        user has a confirmed one."""
        ...

    async def confirm_totp(self, credential: TotpCredential, step: int, now: datetime) -> bool:
        """Confirm the pending `credential`, its code of time step `step` accepted; False when
        it is no longer the one pending (confirmed, or replaced by a newer one meanwhile)."""
        ...

    async def accept_totp_step(self, user_id: uuid.UUID, step: int) -> bool:
        """Record a code of time step `step` as accepted, only if the credential is confirmed
        and no code of that step or a later one was accepted before, in one atomic step: of
        two concurrent uses of one code exactly one gets True."""
        ...

    async def delete_totp(self, user_id: uuid.UUID) -> None:
        """Delete the credential and every recovery code."""
        ...

    async def replace_recovery_codes(
        self, user_id: uuid.UUID, code_hashes: list[str], now: datetime
    ) -> None: ...

    async def has_recovery_code(self, user_id: uuid.UUID, code_hash: str) -> bool: ...

    async def use_recovery_code(self, user_id: uuid.UUID, code_hash: str) -> bool:
        """Delete the code, atomically: of two concurrent uses exactly one gets True."""
        ...

    async def recovery_codes_left(self, user_id: uuid.UUID) -> int: ...


class MfaChallengeRepository(Protocol):
    """Password steps of sign-ins waiting for their second factor, by the hash of their token."""

    async def add(self, challenge: MfaChallenge) -> None: ...

    async def get(self, token_hash: str) -> MfaChallenge | None: ...

    async def use(self, token_hash: str, now: datetime) -> MfaChallenge | None:
        """Mark the challenge used, only if it is unused and has not expired, in one atomic
        step: of two concurrent uses exactly one gets it, the other None."""
        ...
