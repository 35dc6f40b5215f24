"""The caller deletes their own account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import Forbidden
from core.events import UserEvent
from core.mfa.reauthentication import Reauthentication
from core.mfa.second_factors import SecondFactors
from core.passkeys.ceremony import PasskeyAnswer
from core.ports import Clock, UnitOfWorkFactory, UserReader
from core.public_events import user_deleted
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class DeleteAccount:
    user_id: uuid.UUID
    password: str
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""
    client_ip: str | None = None
    user_agent: str | None = None
    code: str | None = None
    """When two-step sign-in is on: a code from the authenticator app; or else
    `recovery_code`, or `passkey` when the account has passkeys."""
    recovery_code: str | None = None
    passkey: PasskeyAnswer | None = None
    """A passkey's answer to a step-up challenge (POST /api/v1/mfa/passkeys/step-up-options)."""
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class DeleteAccountHandler:
    """Delete the caller's account after re-checking the password, and the second factor when
    the account has one (see Reauthentication; a wrong one is a failed sign-in of the account).
    Its refresh tokens go with it, and its access tokens name no user any more. The password
    is checked before the transaction opens (argon2 holds no database connection)."""

    uow: UnitOfWorkFactory
    users: UserReader
    clock: Clock
    reauthentication: Reauthentication

    async def __call__(self, command: DeleteAccount) -> None:
        user = await bearer_user(self.users, command)
        proof = await self.reauthentication.check(
            user,
            command.password,
            code=command.code,
            recovery_code=command.recovery_code,
            passkey=command.passkey,
            client=command,
            checked_for="account_deletion",
            wrong_password="The password is wrong.",
        )
        async with self.uow() as uow:
            current = await bearer_user(uow.users, command)
            if current.password_hash != user.password_hash:
                raise Forbidden("The password changed meanwhile; try again.")
            if proof is not None:
                await SecondFactors.spend_or_refuse(uow, current, proof)
            now = self.clock.now()
            await uow.users.delete(user.id)
            await uow.events.add(UserEvent.deleted(current, now))
            await uow.events.add_public(user_deleted(user.id, now))
            await uow.audit.add(SecurityEvent.of("account.deleted", user.id, now, command))
            await uow.commit()
