"""Housekeeping: forget rows kept only for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.domain import NEW_DEVICE_WINDOW
from core.ports import Bookkeeping, Clock


@dataclass(frozen=True, slots=True)
class PruneBookkeeping:
    """Delete published outbox rows, processed-event records and expired refresh tokens older
    than `retention`, sessions last used longer ago than NEW_DEVICE_WINDOW once no token of
    theirs is left (they tell a new device from a known one until then), and WebAuthn
    challenges as soon as they expired; returns the number of rows per table."""

    bookkeeping: Bookkeeping
    clock: Clock
    retention: timedelta

    async def __call__(self) -> dict[str, int]:
        now = self.clock.now()
        pruned = await self.bookkeeping.prune(now - self.retention)
        return {
            **pruned,
            "sessions": await self.bookkeeping.prune_sessions(now - NEW_DEVICE_WINDOW),
            "webauthn_challenges": await self.bookkeeping.prune_challenges(now),
        }
