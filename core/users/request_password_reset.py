"""Forgotten passwords, first step: mail a single-use reset token to the account's address."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import ActionToken, normalise_email
from core.events import UserEvent
from core.ports import Clock, UnitOfWorkFactory

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
