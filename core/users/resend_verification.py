"""A fresh confirmation mail for the caller's address."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import AlreadyVerified, RateLimit, RateLimited
from core.mail.quota import MailQuota
from core.ports import ActionTokenSecrets, Clock, RateLimiter, UnitOfWorkFactory
from core.sessions.bearer import bearer_user
from core.users.changes import request_verification


@dataclass(frozen=True, slots=True)
class ResendVerification:
    user_id: uuid.UUID
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class ResendVerificationHandler:
    """Mail a fresh confirmation token to the address that awaits confirmation (the pending
    one, else the account's); older unused ones stop working. At most `resend_limit` of them
    per user, and the address's mail quota."""

    uow: UnitOfWorkFactory
    clock: Clock
    limiter: RateLimiter
    resend_limit: RateLimit
    quota: MailQuota
    secrets: ActionTokenSecrets

    async def __call__(self, command: ResendVerification) -> None:
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            if user.email_verified and user.pending_email is None:
                raise AlreadyVerified()
            attempt = await self.limiter.acquire(f"verify-resend:{user.id}", self.resend_limit)
            if not attempt.allowed:
                raise RateLimited(
                    "Too many confirmation mails asked for. Try again later.",
                    retry_after=attempt.reset_seconds,
                )
            await self.quota.require(user.pending_email or user.email)
            await request_verification(uow, user, self.clock.now(), self.secrets)
            await uow.commit()
