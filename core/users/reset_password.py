"""Forgotten passwords, second step: the mailed token sets a new password."""

from __future__ import annotations

from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import InvalidActionToken, action_token_hash
from core.lockout import LoginLockout
from core.passwords.policy import PasswordPolicy
from core.ports import ActionTokenSecrets, Clock, PasswordHasher, UnitOfWorkFactory
from core.users.changes import save_changes


@dataclass(frozen=True, slots=True)
class ResetPassword:
    token: str
    new_password: str
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class ResetPasswordHandler:
    """Set a new password with a mailed reset token. It counts as a password change: every
    token issued before it is retired, and the user is told. The token is used up, as is every
    other reset token of the user; it works only while the account still has the address it was
    sent to. The raised token version also lifts every sign-in lock of the account, and forgets
    its familiar networks but the one the reset came from. The new password must pass the
    policy: the rules that may wait on an outside service run before the transaction, the one
    about the user's own names inside it."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    secrets: ActionTokenSecrets
    lockout: LoginLockout
    passwords: PasswordPolicy

    async def __call__(self, command: ResetPassword) -> None:
        await self.passwords.check(command.new_password, field="new_password")
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
            self.passwords.check_identities(
                command.new_password, (user.username, user.email), field="new_password"
            )
            # Hashed only for a good token, so garbage tokens cost no argon2 time.
            new_hash = await self.hasher.hash(command.new_password)
            updated = user.with_changes(now=now, password_hash=new_hash)
            await save_changes(uow, user, updated, now, self.secrets)
            await uow.action_tokens.invalidate(user.id, "reset_password", now)
            await uow.audit.add(SecurityEvent.of("password.reset", user.id, now, command))
            await uow.commit()
        # Whoever opened the mailed link holds the address: their network is the owner's now,
        # so strangers spending the account's sign-in budget do not lock them out again.
        await self.lockout.remember(updated, command.client_ip)
