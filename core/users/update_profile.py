from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import (
    Forbidden,
    InvalidInput,
    Unauthenticated,
    User,
    check_password,
    check_username,
)
from core.events import UserEvent
from core.ports import Clock, PasswordHasher, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class UpdateProfile:
    user_id: uuid.UUID
    username: str | None = None
    email: str | None = None
    password: str | None = None
    current_password: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateProfileHandler:
    """Change username, email or password. A new password needs the current one."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock

    async def __call__(self, command: UpdateProfile) -> User:
        if command.username is not None:
            check_username(command.username)
        new_hash = None
        if command.password is not None:
            check_password(command.password)
            if command.current_password is None:
                raise InvalidInput({"current_password": ["Required to change the password."]})
        async with self.uow() as uow:
            user = await uow.users.get(command.user_id)
            if user is None:
                raise Unauthenticated("The account of this token no longer exists.")
            if command.password is not None:
                assert command.current_password is not None
                if not await self.hasher.verify(user.password_hash, command.current_password):
                    raise Forbidden("The current password is wrong.")
                new_hash = await self.hasher.hash(command.password)
            updated = user.with_changes(
                now=self.clock.now(),
                username=command.username,
                email=command.email,
                password_hash=new_hash,
            )
            if updated.changed:
                await uow.users.save(updated)
                await uow.events.add(UserEvent.updated(user, updated))
                await uow.commit()
        return updated
