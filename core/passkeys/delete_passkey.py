"""The caller removes one of their passkeys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import NotFound
from core.events import UserEvent
from core.mfa.reauthentication import Reauthentication
from core.mfa.second_factors import SecondFactors
from core.passkeys.ceremony import PasskeyAnswer
from core.ports import Clock, UnitOfWorkFactory, UserReader
from core.sessions.bearer import bearer_user

NO_SUCH_PASSKEY = "There is no such passkey."


@dataclass(frozen=True, slots=True)
class DeletePasskey:
    user_id: uuid.UUID
    passkey_id: uuid.UUID
    current_password: str
    code: str | None = None
    """A code from the authenticator app when the account has one; or else `recovery_code`,
    or `passkey` (an answer to a step-up challenge, by this passkey or another)."""
    recovery_code: str | None = None
    passkey: PasskeyAnswer | None = None
    token_version: int | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class DeletePasskeyHandler:
    """Remove one of the caller's passkeys: it signs nobody in any more, and is no second
    factor of the account. A change of the second factors: it needs the password and a second
    factor (see Reauthentication); the audit trail records it and the account's address is
    told. NotFound when the caller has no passkey of that id (another user's included)."""

    uow: UnitOfWorkFactory
    users: UserReader
    reauthentication: Reauthentication
    clock: Clock

    async def __call__(self, command: DeletePasskey) -> None:
        user = await bearer_user(self.users, command)
        proof = await self.reauthentication.second_factor_change(user, command)
        now = self.clock.now()
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            if not await uow.passkeys.delete(command.passkey_id, user.id):
                raise NotFound(NO_SUCH_PASSKEY)
            await SecondFactors.use(uow, user, proof, now)
            await uow.events.add(UserEvent.passkey_removed(user, now))
            removed = SecurityEvent.of(
                "second_factor.removed", user.id, now, command, method="passkey"
            )
            await uow.audit.add(removed)
            await uow.commit()
