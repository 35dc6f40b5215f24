"""The caller deletes their own account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.audit.failed_password import RecordFailedPassword
from core.domain import Forbidden, token_holder
from core.events import UserEvent
from core.lockout import LoginLockout
from core.ports import Clock, PasswordHasher, UnitOfWorkFactory, UserReader
from core.public_events import user_deleted


@dataclass(frozen=True, slots=True)
class DeleteAccount:
    user_id: uuid.UUID
    password: str
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteAccountHandler:
    """Delete the caller's account after re-checking the password (a wrong one is a failed
    sign-in of the account). Its refresh tokens go with it, and its access tokens name no user
    any more. The password is checked before the transaction opens (argon2 holds no database
    connection)."""

    uow: UnitOfWorkFactory
    users: UserReader
    hasher: PasswordHasher
    clock: Clock
    lockout: LoginLockout
    failed_password: RecordFailedPassword

    async def __call__(self, command: DeleteAccount) -> None:
        user = token_holder(await self.users.get(command.user_id), command.token_version)
        attempt = await self.lockout.attempt(user, user.username, command.client_ip)
        if not await self.hasher.verify(user.password_hash, command.password):
            await self.failed_password(attempt, user, "account_deletion", command)
            raise Forbidden("The password is wrong.")
        await self.lockout.succeeded(attempt)
        async with self.uow() as uow:
            current = token_holder(await uow.users.get(user.id), command.token_version)
            if current.password_hash != user.password_hash:
                raise Forbidden("The password changed meanwhile; try again.")
            now = self.clock.now()
            await uow.users.delete(user.id)
            await uow.events.add(UserEvent.deleted(current, now))
            await uow.events.add_public(user_deleted(user.id, now))
            await uow.audit.add(SecurityEvent.of("account.deleted", user.id, now, command))
            await uow.commit()
