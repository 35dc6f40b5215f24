"""The background reputation check of an address left pending at sign-up or email change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.email_reputation.screen import STATUS_OF_VERDICT
from core.ports import Clock, EmailReputation, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class CheckEmailReputation:
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class CheckEmailReputationHandler:
    """Ask the reputation service about a pending address and store its answer. Lets
    EmailCheckUnavailable (retry later) and EmailCheckMisconfigured (do not) through to the
    worker, which decides about retries. Returns the stored status, None when nothing was due."""

    uow: UnitOfWorkFactory
    reputation: EmailReputation
    clock: Clock

    async def __call__(self, command: CheckEmailReputation) -> str | None:
        async with self.uow() as uow:
            user = await uow.users.get(command.user_id)
        if user is None or user.email_status != "pending":
            return None  # gone, or decided meanwhile
        verdict = await self.reputation.check(user.email)
        status = STATUS_OF_VERDICT[verdict]
        async with self.uow() as uow:
            # Compare-and-set on the address: a newer address has a check of its own.
            if await uow.users.set_email_status(
                user.id, status, email=user.email, now=self.clock.now()
            ):
                await uow.commit()
        return status
