"""Scheduled upkeep: lost verification jobs, unusable accounts, old bookkeeping rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.events import UserEvent
from core.ports import BackgroundJobs, Bookkeeping, Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class HousekeepingPolicy:
    stale_pending_minutes: int = 30
    delete_rejected_after_days: int = 0
    """0 turns the deletion of accounts whose address stayed rejected off."""
    retention_days: int = 7
    batch_size: int = 500


@dataclass(frozen=True, slots=True)
class RequeueStaleVerifications:
    """Enqueue again the checks of addresses pending for too long (their job was lost, or its
    retries are still waiting); each is stamped so the next run skips it for a while."""

    uow: UnitOfWorkFactory
    jobs: BackgroundJobs
    clock: Clock
    policy: HousekeepingPolicy

    async def __call__(self) -> int:
        now = self.clock.now()
        before = now - timedelta(minutes=self.policy.stale_pending_minutes)
        async with self.uow() as uow:
            user_ids = await uow.users.claim_stale_pending(before, now, self.policy.batch_size)
            await uow.commit()
        for user_id in user_ids:
            await self.jobs.verify_email_later(user_id)
        return len(user_ids)


@dataclass(frozen=True, slots=True)
class DeleteRejectedAccounts:
    """Delete accounts whose address stayed rejected longer than the policy allows (they
    cannot sign in). Each deletion is a normal one: a user.deleted event, a goodbye mail."""

    uow: UnitOfWorkFactory
    clock: Clock
    policy: HousekeepingPolicy

    async def __call__(self) -> int:
        if self.policy.delete_rejected_after_days <= 0:
            return 0
        now = self.clock.now()
        before = now - timedelta(days=self.policy.delete_rejected_after_days)
        async with self.uow() as uow:
            users = await uow.users.rejected_before(before, self.policy.batch_size)
            for user in users:
                await uow.users.delete(user.id)
                await uow.events.add(UserEvent.deleted(user, now))
            await uow.commit()
        return len(users)


@dataclass(frozen=True, slots=True)
class PruneBookkeeping:
    bookkeeping: Bookkeeping
    clock: Clock
    policy: HousekeepingPolicy

    async def __call__(self) -> dict[str, int]:
        before = self.clock.now() - timedelta(days=self.policy.retention_days)
        return await self.bookkeeping.prune(before)
