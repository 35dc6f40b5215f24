"""The caller starts turning two-step sign-in on: a new TOTP secret for their authenticator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import (
    StateConflict,
    TotpCredential,
    new_totp_secret,
    totp_uri,
)
from core.mfa.reauthentication import Reauthentication
from core.mfa.second_factors import SecondFactors
from core.passkeys.ceremony import PasskeyAnswer
from core.ports import Clock, TotpSecretBox, UnitOfWorkFactory, UserReader
from core.sessions.bearer import bearer_user

ALREADY_ON = "Two-step sign-in is on already. Turn it off first to use another authenticator."


@dataclass(frozen=True, slots=True)
class StartTotp:
    user_id: uuid.UUID
    current_password: str
    token_version: int | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    passkey: PasskeyAnswer | None = None
    """When the account has passkeys: a passkey's answer to a step-up challenge."""
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    secret: str
    """Base32, for typing into the authenticator app by hand."""
    otpauth_uri: str
    """The same secret as an otpauth:// URI, for a QR code."""


@dataclass(frozen=True, slots=True)
class StartTotpHandler:
    """Make a TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) for the caller's authenticator app,
    after checking the password, and a passkey when the account has one (see
    Reauthentication; a wrong one is a failed sign-in). The secret is stored sealed
    and pending: sign-in asks for no code until one made from it comes back (ConfirmTotp). A
    secret pending from before is replaced; one already confirmed is refused (StateConflict).
    """

    uow: UnitOfWorkFactory
    users: UserReader
    second_factors: SecondFactors
    reauthentication: Reauthentication
    totp_secrets: TotpSecretBox
    clock: Clock
    totp_issuer: str

    async def __call__(self, command: StartTotp) -> TotpEnrolment:
        user = await bearer_user(self.users, command)
        if "totp" in await self.second_factors.methods(user.id):
            raise StateConflict(ALREADY_ON)
        # A passkey's answer is the only second factor that can come here, and it is used up
        # as it is verified: there is nothing to spend.
        await self.reauthentication.check(
            user,
            command.current_password,
            code=None,
            recovery_code=None,
            passkey=command.passkey,
            client=command,
            checked_for="second_factor_change",
            wrong_password="The current password is wrong.",
        )
        secret = new_totp_secret()
        credential = TotpCredential(
            user.id, self.totp_secrets.seal(user.id, secret), created_at=self.clock.now()
        )
        async with self.uow() as uow:
            await bearer_user(uow.users, command)
            if not await uow.second_factors.put_pending_totp(credential):
                raise StateConflict(ALREADY_ON)
            await uow.commit()
        return TotpEnrolment(secret, totp_uri(secret, user.email, self.totp_issuer))
