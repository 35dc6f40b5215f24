"""Housekeeping: delete accounts that cannot sign in because their address stayed rejected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.audit.events import SecurityEvent
from core.events import UserEvent
from core.ports import Clock, UnitOfWorkFactory
from core.public_events import user_deleted


@dataclass(frozen=True, slots=True)
class DeleteRejectedAccounts:
    """Delete accounts whose address stayed rejected longer than `rejected_for` (zero turns
    this off). Each deletion is a normal one: a user.deleted event, a goodbye mail."""

    uow: UnitOfWorkFactory
    clock: Clock
    rejected_for: timedelta
    batch_size: int = 500

    async def __call__(self) -> int:
        if self.rejected_for <= timedelta(0):
            return 0
        now = self.clock.now()
        async with self.uow() as uow:
            users = await uow.users.rejected_before(now - self.rejected_for, self.batch_size)
            for user in users:
                await uow.users.delete(user.id)
                await uow.events.add(UserEvent.deleted(user, now))
                await uow.events.add_public(user_deleted(user.id, now))
                gone = SecurityEvent.of(
                    "account.deleted", user.id, now, None, reason="address_rejected"
                )
                await uow.audit.add(gone)
            await uow.commit()
        return len(users)
