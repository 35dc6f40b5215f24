"""The caller's second factors, as the account page and clients show them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from core.domain import Passkey
from core.ports import UnitOfWorkFactory, UserReader
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class GetMfaStatus:
    user_id: uuid.UUID
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class MfaStatus:
    totp: bool
    """Whether sign-in asks for a code from an authenticator app (a pending enrolment does not
    count until it is confirmed)."""
    recovery_codes_left: int
    passkeys: list[Passkey] = field(default_factory=list)
    """The account's passkeys, oldest first: any of them signs in alone, or is the second step
    after the password."""

    @property
    def passkey_only(self) -> bool:
        """Whether a passkey is the account's only second factor (a sensitive change then
        needs a passkey's answer beside the password)."""
        return bool(self.passkeys) and not self.totp


@dataclass(frozen=True, slots=True)
class GetMfaStatusHandler:
    """Whether two-step sign-in with an authenticator app is on, how many unused recovery
    codes are left, and the account's passkeys."""

    uow: UnitOfWorkFactory
    users: UserReader

    async def __call__(self, query: GetMfaStatus) -> MfaStatus:
        user = await bearer_user(self.users, query)
        async with self.uow() as uow:
            passkeys = await uow.passkeys.list_for_user(user.id)
            credential = await uow.second_factors.get_totp(user.id)
            if credential is None or not credential.enabled:
                return MfaStatus(totp=False, recovery_codes_left=0, passkeys=passkeys)
            left = await uow.second_factors.recovery_codes_left(user.id)
            return MfaStatus(totp=True, recovery_codes_left=left, passkeys=passkeys)
