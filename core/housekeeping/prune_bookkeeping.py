"""Housekeeping: forget rows kept only for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.ports import Bookkeeping, Clock


@dataclass(frozen=True, slots=True)
class PruneBookkeeping:
    """Delete published outbox rows, processed-event records and expired refresh tokens older
    than `retention`, and WebAuthn challenges as soon as they expired; returns the number of
    rows per table."""

    bookkeeping: Bookkeeping
    clock: Clock
    retention: timedelta

    async def __call__(self) -> dict[str, int]:
        now = self.clock.now()
        pruned = await self.bookkeeping.prune(now - self.retention)
        return {**pruned, "webauthn_challenges": await self.bookkeeping.prune_challenges(now)}
