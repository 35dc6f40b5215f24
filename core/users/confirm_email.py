"""Email ownership: the single-use token mailed to the address proves its owner reads it."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import InvalidActionToken, action_token_hash
from core.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ConfirmEmail:
    token: str


@dataclass(frozen=True, slots=True)
class ConfirmEmailHandler:
    """Mark the address verified with the token mailed to it. The token is used up, and it
    works only while the account still has the address it was sent to."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: ConfirmEmail) -> None:
        now = self.clock.now()
        async with self.uow() as uow:
            token = await uow.action_tokens.use(
                action_token_hash(command.token), "verify_email", now
            )
            if token is None:
                raise InvalidActionToken()
            # Compare-and-set on the address: a token for an address changed away from fails.
            if not await uow.users.confirm_email(token.user_id, email=token.email, now=now):
                raise InvalidActionToken()
            await uow.commit()
