"""The caller's authenticator proves it holds the new secret: two-step sign-in is on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import (
    Forbidden,
    StateConflict,
    matching_step,
    new_recovery_codes,
    recovery_code_hash,
)
from core.events import UserEvent
from core.mfa.second_factors import WRONG_CODE
from core.mfa.start_totp import ALREADY_ON
from core.ports import Clock, TotpSecretBox, UnitOfWorkFactory, UserReader
from core.sessions.bearer import bearer_user

NOTHING_PENDING = "No authenticator is waiting to be confirmed: start with POST /api/v1/mfa/totp."


@dataclass(frozen=True, slots=True)
class ConfirmTotp:
    user_id: uuid.UUID
    code: str
    token_version: int | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class ConfirmTotpHandler:
    """Turn two-step sign-in on, once a code made from the pending secret comes back (one step
    of clock drift either way is accepted, and that code is not accepted again). Returns the
    account's recovery codes, shown this once and stored only as hashes; the user is mailed
    that two-step sign-in is on. A wrong code is Forbidden and changes nothing."""

    uow: UnitOfWorkFactory
    users: UserReader
    totp_secrets: TotpSecretBox
    clock: Clock

    async def __call__(self, command: ConfirmTotp) -> list[str]:
        user = await bearer_user(self.users, command)
        now = self.clock.now()
        codes = new_recovery_codes()
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            credential = await uow.second_factors.get_totp(user.id)
            if credential is None:
                raise StateConflict(NOTHING_PENDING)
            if credential.enabled:
                raise StateConflict(ALREADY_ON)
            secret = self.totp_secrets.open(user.id, credential.sealed_secret)
            step = None if secret is None else matching_step(secret, command.code, now, after=None)
            if step is None:
                raise Forbidden(WRONG_CODE)
            if not await uow.second_factors.confirm_totp(credential, step, now):
                raise StateConflict(ALREADY_ON)
            hashes = [recovery_code_hash(user.id, code) for code in codes]
            await uow.second_factors.replace_recovery_codes(user.id, hashes, now)
            await uow.events.add(UserEvent.second_factor("user.mfa_enabled", user, now))
            added = SecurityEvent.of("second_factor.added", user.id, now, command, method="totp")
            await uow.audit.add(added)
            await uow.commit()
        return codes
