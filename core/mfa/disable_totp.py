"""The caller turns two-step sign-in off."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import StateConflict
from core.events import UserEvent
from core.mfa.reauthentication import Reauthentication
from core.mfa.second_factors import SecondFactors
from core.passkeys.ceremony import PasskeyAnswer
from core.ports import Clock, UnitOfWorkFactory, UserReader
from core.sessions.bearer import bearer_user

NOT_ON = "Two-step sign-in is not on for this account."


@dataclass(frozen=True, slots=True)
class DisableTotp:
    user_id: uuid.UUID
    current_password: str
    code: str | None = None
    recovery_code: str | None = None
    token_version: int | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    passkey: PasskeyAnswer | None = None
    """Or else, when the account has passkeys, a passkey's answer to a step-up challenge."""
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class DisableTotpHandler:
    """Turn two-step sign-in off: the TOTP secret and every recovery code are deleted, and the
    user is mailed that it is off. Needs the password and a code (or a recovery code, for an
    authenticator that is lost), each a failed sign-in when wrong."""

    uow: UnitOfWorkFactory
    users: UserReader
    second_factors: SecondFactors
    reauthentication: Reauthentication
    clock: Clock

    async def __call__(self, command: DisableTotp) -> None:
        user = await bearer_user(self.users, command)
        if "totp" not in await self.second_factors.methods(user.id):
            raise StateConflict(NOT_ON)
        proof = await self.reauthentication.second_factor_change(user, command)
        now = self.clock.now()
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            if proof is None:  # turned off by a request that raced this one
                raise StateConflict(NOT_ON)
            await self.second_factors.spend_or_refuse(uow, user, proof)
            await uow.second_factors.delete_totp(user.id)
            await uow.events.add(UserEvent.second_factor("user.mfa_disabled", user, now))
            removed = SecurityEvent.of(
                "second_factor.removed", user.id, now, command, method="totp"
            )
            await uow.audit.add(removed)
            await uow.commit()
