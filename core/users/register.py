from __future__ import annotations

from dataclasses import dataclass

from core.domain import User, check_password, check_username
from core.events import UserEvent
from core.ports import Clock, PasswordHasher, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class RegisterUser:
    username: str
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class RegisterUserHandler:
    """Create an account. A taken username or email raises Conflict, decided by the database."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock

    async def __call__(self, command: RegisterUser) -> User:
        check_username(command.username)
        check_password(command.password)
        password_hash = await self.hasher.hash(command.password)
        user = User.register(
            username=command.username,
            email=command.email,
            password_hash=password_hash,
            now=self.clock.now(),
        )
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.events.add(UserEvent.created(user))
            await uow.commit()
        return user
