"""The caller replaces their recovery codes with a fresh set."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import (
    StateConflict,
    new_recovery_codes,
    recovery_code_hash,
)
from core.mfa.disable_totp import NOT_ON
from core.mfa.reauthentication import Reauthentication
from core.mfa.second_factors import SecondFactors
from core.passkeys.ceremony import PasskeyAnswer
from core.ports import Clock, UnitOfWorkFactory, UserReader
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class RegenerateRecoveryCodes:
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
class RegenerateRecoveryCodesHandler:
    """A fresh set of recovery codes, shown this once; every code of the old set stops working.
    Needs the password and a code (or one of the old recovery codes), each a failed sign-in
    when wrong."""

    uow: UnitOfWorkFactory
    users: UserReader
    second_factors: SecondFactors
    reauthentication: Reauthentication
    clock: Clock

    async def __call__(self, command: RegenerateRecoveryCodes) -> list[str]:
        user = await bearer_user(self.users, command)
        if "totp" not in await self.second_factors.methods(user.id):
            raise StateConflict(NOT_ON)
        proof = await self.reauthentication.second_factor_change(user, command)
        now = self.clock.now()
        codes = new_recovery_codes()
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            if proof is None:  # turned off by a request that raced this one
                raise StateConflict(NOT_ON)
            await self.second_factors.spend_or_refuse(uow, user, proof)
            hashes = [recovery_code_hash(user.id, code) for code in codes]
            await uow.second_factors.replace_recovery_codes(user.id, hashes, now)
            await self.second_factors.announce(uow, user, proof, now)
            await uow.commit()
        return codes
