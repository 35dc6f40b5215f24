from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import Forbidden, Unauthenticated
from core.events import UserEvent
from core.ports import Clock, PasswordHasher, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class DeleteAccount:
    user_id: uuid.UUID
    password: str


@dataclass(frozen=True, slots=True)
class DeleteAccountHandler:
    """Delete the caller's account after re-checking the password."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock

    async def __call__(self, command: DeleteAccount) -> None:
        async with self.uow() as uow:
            user = await uow.users.get(command.user_id)
            if user is None:
                raise Unauthenticated("The account of this token no longer exists.")
            if not await self.hasher.verify(user.password_hash, command.password):
                raise Forbidden("The password is wrong.")
            await uow.users.delete(user.id)
            await uow.events.add(UserEvent.deleted(user, self.clock.now()))
            await uow.commit()
