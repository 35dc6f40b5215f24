from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.email_check import STATUS_OF_VERDICT
from core.ports import Clock, EmailVerifier, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class VerifyEmail:
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class VerifyEmailHandler:
    """The background check of a pending address. Lets EmailCheckUnavailable (retry later) and
    EmailCheckMisconfigured (do not) through to the worker, which decides about retries."""

    uow: UnitOfWorkFactory
    verifier: EmailVerifier
    clock: Clock

    async def __call__(self, command: VerifyEmail) -> str | None:
        async with self.uow() as uow:
            user = await uow.users.get(command.user_id)
        if user is None or user.email_status != "pending":
            return None  # gone, or decided meanwhile
        verdict = await self.verifier.check(user.email)
        status = STATUS_OF_VERDICT[verdict]
        async with self.uow() as uow:
            # Compare-and-set on the address: a newer address has a check of its own.
            if await uow.users.set_email_status(
                user.id, status, email=user.email, now=self.clock.now()
            ):
                await uow.commit()
        return status


@dataclass(frozen=True, slots=True)
class GiveUpEmailCheckHandler:
    """The retries ran out: the address stays usable, with status `unknown`."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: VerifyEmail) -> None:
        async with self.uow() as uow:
            user = await uow.users.get(command.user_id)
            if user is not None and user.email_status == "pending":
                await uow.users.set_email_status(
                    user.id, "unknown", email=user.email, now=self.clock.now()
                )
                await uow.commit()
