"""Email ownership: a mailed single-use token proves the user reads the account's address."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from core.domain import (
    ActionToken,
    AlreadyVerified,
    InvalidActionToken,
    RateLimit,
    RateLimited,
    User,
    action_token_hash,
    token_holder,
)
from core.events import UserEvent
from core.ports import Clock, RateLimiter, UnitOfWork, UnitOfWorkFactory


async def request_verification(uow: UnitOfWork, user: User, now: datetime) -> None:
    """In the caller's transaction: retire the user's unused confirmation tokens, store a new
    one for the current address, and record the event whose mail carries it."""
    secret, token = ActionToken.issue(user, "verify_email", now=now)
    await uow.action_tokens.invalidate(user.id, "verify_email", now)
    await uow.action_tokens.add(token)
    await uow.events.add(UserEvent.verification_requested(user, secret, now))


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


@dataclass(frozen=True, slots=True)
class ResendLimit:
    """Confirmation mails one user may ask for in a window."""

    rate: RateLimit


@dataclass(frozen=True, slots=True)
class ResendVerification:
    user_id: uuid.UUID
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""


@dataclass(frozen=True, slots=True)
class ResendVerificationHandler:
    """Mail a fresh confirmation token to the caller's address; older unused ones stop working."""

    uow: UnitOfWorkFactory
    clock: Clock
    limiter: RateLimiter
    limit: ResendLimit

    async def __call__(self, command: ResendVerification) -> None:
        async with self.uow() as uow:
            user = token_holder(await uow.users.get(command.user_id), command.token_version)
            if user.email_verified:
                raise AlreadyVerified()
            attempt = await self.limiter.acquire(f"verify-resend:{user.id}", self.limit.rate)
            if not attempt.allowed:
                raise RateLimited(
                    "Too many confirmation mails asked for. Try again later.",
                    retry_after=attempt.reset_seconds,
                )
            await request_verification(uow, user, self.clock.now())
            await uow.commit()
