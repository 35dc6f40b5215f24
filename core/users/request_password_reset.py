"""Forgotten passwords, first step: mail a single-use reset token to the account's address."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import normalise_email
from core.lockout import LoginLockout
from core.mail.quota import MailQuota
from core.ports import ActionTokenSecrets, Clock, UnitOfWorkFactory
from core.users.changes import mail_token


@dataclass(frozen=True, slots=True)
class RequestPasswordReset:
    email: str
    client_ip: str | None = None


@dataclass(frozen=True, slots=True)
class RequestPasswordResetHandler:
    """Mail a reset token to the account with this address, if there is one and the address
    has not had its quota of such mails (a network the account knows is never held to it, so
    strangers spending the quota cannot stop the owner's recovery). The caller learns nothing
    either way: no error, no result. A new link does not void the ones already mailed (else
    anyone could cancel the owner's link by asking again); using any one voids the rest."""

    uow: UnitOfWorkFactory
    clock: Clock
    quota: MailQuota
    secrets: ActionTokenSecrets
    lockout: LoginLockout

    async def __call__(self, command: RequestPasswordReset) -> None:
        now = self.clock.now()
        email = normalise_email(command.email)
        async with self.uow() as uow:
            user = await uow.users.find_by_login(email)
            if user is None or user.email != email:
                return  # unknown, or a username: this endpoint takes account addresses only
            familiar = await self.lockout.familiar_network(user, command.client_ip)
            if not familiar and not await self.quota.take(email):
                return
            await mail_token(
                uow, user, "reset_password", "user.password_reset_requested", now, self.secrets
            )
            await uow.commit()
