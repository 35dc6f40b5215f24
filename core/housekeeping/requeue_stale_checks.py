"""Housekeeping: enqueue again the reputation checks whose job was lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.ports import BackgroundJobs, Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class RequeueStaleChecks:
    """Enqueue again the checks of addresses pending for longer than `stale_after` (their job
    was lost, or its retries are still waiting); each is stamped so the next run skips it for a
    while. Returns how many were enqueued."""

    uow: UnitOfWorkFactory
    jobs: BackgroundJobs
    clock: Clock
    stale_after: timedelta
    batch_size: int = 500

    async def __call__(self) -> int:
        now = self.clock.now()
        async with self.uow() as uow:
            user_ids = await uow.users.claim_stale_pending(
                now - self.stale_after, now, self.batch_size
            )
            await uow.commit()
        for user_id in user_ids:
            await self.jobs.check_email_reputation_later(user_id)
        return len(user_ids)
