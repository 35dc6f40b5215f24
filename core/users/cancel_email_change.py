"""The old address answers an email change: cancel it while pending, revert it once done."""

from __future__ import annotations

from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import InvalidActionToken, action_token_hash
from core.events import UserEvent
from core.ports import ActionTokenSecrets, Clock, UnitOfWork, UnitOfWorkFactory
from core.users.changes import mail_token, save_changes


@dataclass(frozen=True, slots=True)
class CancelEmailChange:
    token: str
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class CancelEmailChangeHandler:
    """With the token mailed to the account's address when a change was asked for: the
    pending address is dropped. With the token mailed to the old address when a change was
    confirmed (valid 7 days): the old address is the account's again, and a password reset
    mail goes to it, and the password stops working until that reset (whoever changed the
    address may know it). Either way someone else may hold the account, so every session
    ends."""

    uow: UnitOfWorkFactory
    clock: Clock
    secrets: ActionTokenSecrets

    async def __call__(self, command: CancelEmailChange) -> None:
        hashed = action_token_hash(command.token)
        async with self.uow() as uow:
            if not await self._cancel(uow, hashed, command) and not await self._revert(
                uow, hashed, command
            ):
                raise InvalidActionToken()
            await uow.commit()

    async def _cancel(self, uow: UnitOfWork, hashed: str, client: CancelEmailChange) -> bool:
        now = self.clock.now()
        token = await uow.action_tokens.use(hashed, "cancel_email_change", now)
        if token is None:
            return False
        user = await uow.users.get_for_update(token.user_id)
        if user is None or user.email != token.email or user.pending_email is None:
            raise InvalidActionToken()
        await save_changes(uow, user, user.with_email_change_cancelled(now), now, self.secrets)
        await uow.action_tokens.invalidate(user.id, "verify_email", now)
        await uow.events.add(UserEvent.email_change_cancelled(user, user.pending_email, now))
        cancelled = {"cancelled_email": user.pending_email}
        await uow.audit.add(
            SecurityEvent.of("email_change.cancelled", user.id, now, client, **cancelled)
        )
        return True

    async def _revert(self, uow: UnitOfWork, hashed: str, client: CancelEmailChange) -> bool:
        now = self.clock.now()
        token = await uow.action_tokens.use(hashed, "revert_email_change", now)
        if token is None:
            return False
        user = await uow.users.get_for_update(token.user_id)
        if user is None or user.email == token.email:
            raise InvalidActionToken()
        reverted = user.with_email_reverted(token.email, now)
        await save_changes(uow, user, reverted, now, self.secrets)
        for purpose in ("verify_email", "cancel_email_change", "revert_email_change"):
            await uow.action_tokens.invalidate(user.id, purpose, now)
        await mail_token(
            uow, reverted, "reset_password", "user.password_reset_requested", now, self.secrets
        )
        back = {"restored_email": token.email, "replaced_email": user.email}
        await uow.audit.add(SecurityEvent.of("email_change.reverted", user.id, now, client, **back))
        return True
