"""Housekeeping: forget security events older than the audit trail's retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class PruneAuditTrail:
    """Delete security events older than `audit_retention` (AUDIT_RETENTION_DAYS); returns how
    many. Those of deleted accounts go the same way: until then they stay, since the account's
    last events (who deleted it, from where) are what an investigation would ask for."""

    uow: UnitOfWorkFactory
    clock: Clock
    audit_retention: timedelta

    async def __call__(self) -> int:
        async with self.uow() as uow:
            pruned = await uow.audit.prune(self.clock.now() - self.audit_retention)
            await uow.commit()
        return pruned
