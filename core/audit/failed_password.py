"""A wrong password (or second factor) for a known account, recorded where its owner will see
it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.audit.events import Client, SecurityEvent
from core.domain import User
from core.events import UserEvent
from core.lockout import LoginLockout, SignInAttempt
from core.ports import Clock, UnitOfWorkFactory

CheckedFor = Literal["sign_in", "profile_change", "account_deletion", "second_factor_change"]
FailureReason = Literal["wrong_password", "wrong_code", "wrong_passkey"]


@dataclass(frozen=True, slots=True)
class RecordFailedPassword:
    """Record a failed password check of `user` (signing in, or the password re-entered for a
    sensitive change) in the account's audit trail. When the attempt locked the account, that
    is recorded too, and the owner is mailed, once per lock (see LoginLockout.lock_is_news).

    The check itself opens no transaction (argon2 holds no database connection), so this is a
    short one of its own. An unknown login name is no account: nothing is recorded for it."""

    uow: UnitOfWorkFactory
    lockout: LoginLockout
    clock: Clock

    async def __call__(
        self,
        attempt: SignInAttempt,
        user: User,
        checked_for: CheckedFor,
        client: Client,
        reason: FailureReason = "wrong_password",
    ) -> None:
        now = self.clock.now()
        failed = SecurityEvent.of(
            "sign_in.failed", user.id, now, client, reason=reason, during=checked_for
        )
        events = [failed]
        if attempt.lock_seconds is not None:
            seconds = attempt.lock_seconds
            events.append(
                SecurityEvent.of("account.locked", user.id, now, client, locked_for_seconds=seconds)
            )
        news = await self.lockout.lock_is_news(attempt)
        async with self.uow() as uow:
            await uow.audit.add(*events)
            if news:
                await uow.events.add(UserEvent.notice("user.locked_out", user, now))
            await uow.commit()
