"""What follows when the background reputation check runs out of retries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class GiveUpEmailCheck:
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class GiveUpEmailCheckHandler:
    """The retries ran out: the address stays usable, with status `unknown`."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: GiveUpEmailCheck) -> None:
        async with self.uow() as uow:
            user = await uow.users.get(command.user_id)
            if user is not None and user.email_status == "pending":
                await uow.users.set_email_status(
                    user.id, "unknown", email=user.email, now=self.clock.now()
                )
                await uow.commit()
