"""Forgotten passwords: a single-use token mailed to the account's address sets a new one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import (
    ActionToken,
    InvalidActionToken,
    action_token_hash,
    check_password,
    normalise_email,
)
from core.events import UserEvent
from core.ports import Clock, PasswordHasher, UnitOfWorkFactory
from core.users.update_profile import save_changes

# Stands in for the user id when the address is unknown, so both cases run the same statements.
_NOBODY = uuid.UUID(int=0)


@dataclass(frozen=True, slots=True)
class RequestPasswordReset:
    email: str


@dataclass(frozen=True, slots=True)
class RequestPasswordResetHandler:
    """Mail a reset token to the account with this address, if there is one. The caller learns
    nothing either way: no error, no result, and the same statements run against the database
    (an unknown address retires the tokens of no user and writes no rows)."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: RequestPasswordReset) -> None:
        now = self.clock.now()
        email = normalise_email(command.email)
        async with self.uow() as uow:
            user = await uow.users.find_by_login(email)
            if user is not None and user.email != email:
                user = None  # a username, not an address: this endpoint takes addresses only
            await uow.action_tokens.invalidate(user.id if user else _NOBODY, "reset_password", now)
            if user is not None:
                secret, token = ActionToken.issue(user, "reset_password", now=now)
                await uow.action_tokens.add(token)
                await uow.events.add(UserEvent.password_reset_requested(user, secret, now))
            await uow.commit()


@dataclass(frozen=True, slots=True)
class ResetPassword:
    token: str
    new_password: str


@dataclass(frozen=True, slots=True)
class ResetPasswordHandler:
    """Set a new password with a mailed reset token. It counts as a password change: every
    token issued before it is retired, and the user is told. The token is used up, as is every
    other reset token of the user; it works only while the account still has the address it was
    sent to."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock

    async def __call__(self, command: ResetPassword) -> None:
        check_password(command.new_password)
        now = self.clock.now()
        async with self.uow() as uow:
            token = await uow.action_tokens.use(
                action_token_hash(command.token), "reset_password", now
            )
            if token is None:
                raise InvalidActionToken()
            user = await uow.users.get(token.user_id)
            if user is None or user.email != token.email:
                raise InvalidActionToken()
            # Hashed only for a good token, so garbage tokens cost no argon2 time.
            new_hash = await self.hasher.hash(command.new_password)
            updated = user.with_changes(now=now, password_hash=new_hash)
            await save_changes(uow, user, updated, now)
            await uow.action_tokens.invalidate(user.id, "reset_password", now)
            await uow.commit()
