"""Administrators mail an account a password reset link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.admin import actions
from core.admin.actions import Actor
from core.admin.user_details import NO_SUCH_USER
from core.domain import NotFound
from core.mail.quota import MailQuota
from core.ports import ActionTokenSecrets, Clock, UnitOfWorkFactory
from core.users.changes import mail_token


@dataclass(frozen=True, slots=True)
class MailPasswordReset:
    actor: Actor
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class MailPasswordResetHandler:
    """Mail the account's address a password reset link, the one `/password/forgot` mails
    (valid 30 minutes; using it ends every session). The address's mail quota applies, as it
    does to anyone who asks: when spent, RateLimited says how long to wait."""

    uow: UnitOfWorkFactory
    clock: Clock
    quota: MailQuota
    secrets: ActionTokenSecrets

    async def __call__(self, command: MailPasswordReset) -> None:
        now = self.clock.now()
        async with self.uow() as uow:
            user = await uow.users.get(command.user_id)
            if user is None:
                raise NotFound(NO_SUCH_USER)
            await self.quota.require(user.email)
            await mail_token(
                uow, user, "reset_password", "user.password_reset_requested", now, self.secrets
            )
            await actions.password_reset_mailed(uow, command.actor, user.id, now)
            await uow.commit()
